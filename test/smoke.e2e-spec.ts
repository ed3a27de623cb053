import { createTestDatabase, query, type TestDatabase } from '@app/testing';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, login, type TestUser } from './support/auth.js';
import { json } from './support/http.js';

const SMOKE = path.resolve('scripts/smoke/main.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run smoke -- <args>`, as CI and an operator run it. */
const smoke = (args: string[], credentials: { email?: string; password?: string } = {}): Promise<Run> =>
  promisify(execFile)(process.execPath, [SMOKE, ...args], {
    env: { PATH: process.env.PATH, SMOKE_EMAIL: credentials.email, SMOKE_PASSWORD: credentials.password },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ ...error }),
  );

// The canary scenario (scripts/smoke), run as a process against a real api.
describe('the smoke scenario', () => {
  let database: TestDatabase;
  let api: TestApi;
  let canary: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testApiEnv(database));
    canary = await createUser(api);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('passes every step against a working api and leaves nothing behind', async () => {
    const run = await smoke([api.url], canary);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    for (const step of ['sign in', 'refresh', 'create a task', 'delete the task', 'sign out']) {
      expect(run.stdout).toContain(`${step}: `);
    }
    // The task it made is deleted; no session of its own is left.
    const tasks = await query<{ deleted: boolean }>(
      database.primaryUrl,
      'SELECT deleted_at IS NOT NULL AS deleted FROM tasks WHERE creator_id = $1',
      [canary.id],
    );
    expect(tasks).toEqual([{ deleted: true }]);
    const { accessToken } = await login(api, canary);
    const sessions = await json<{ current: boolean }[]>(await call(api, '/auth/sessions', accessToken));
    expect(sessions).toEqual([expect.objectContaining({ current: true })]);
  });

  it('fails naming the step, the status and the code, and exits 1', async () => {
    const run = await smoke([api.url], { email: canary.email, password: 'not the password' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/sign in: expected 200, got 401 INVALID_CREDENTIALS \(request [\w-]+\)/);
  });

  it('refuses to run without a base URL or credentials', async () => {
    expect((await smoke([])).code).toBe(2);
    const run = await smoke([api.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('the canary account needs an email and a password');
  });
});
