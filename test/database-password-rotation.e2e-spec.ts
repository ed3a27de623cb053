import { Database, scramVerifier } from '@app/database';
import {
  asRole,
  clusterDatabase,
  query,
  SecretsManagerStub,
  startMigratedCluster,
  TEST_APP_ROLE,
  type MigratedCluster,
} from '@app/testing';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { eventually } from './support/http.js';

const SECRET_ID = 'modak/database-app';
const AWS_ENV = {
  AWS_ENDPOINT_URL_SECRETS_MANAGER: '',
  AWS_REGION: 'ap-northeast-2',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
};

// On a cluster of its own whose primary checks the app role's password (SCRAM), the api takes the password from
// Secrets Manager for each new connection, so a rotation needs no restart.
describe('the app role password rotates under a running api', () => {
  let stack: MigratedCluster;
  let secrets: SecretsManagerStub;
  let api: TestApi;
  const saved: Record<string, string | undefined> = {};

  const currentUser = () =>
    api.app
      .get(Database)
      .readPrimary(async (manager) => (await manager.query<[{ name: string }]>('SELECT current_user AS name'))[0]);
  const terminateAppConnections = () =>
    query(stack.ownerUrl, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [
      TEST_APP_ROLE.user,
    ]);

  beforeAll(async () => {
    stack = await startMigratedCluster();
    const hba = path.join(stack.cluster.primaryDir, 'pg_hba.conf');
    const rule = `host all ${TEST_APP_ROLE.user} 127.0.0.1/32 scram-sha-256\n`;
    await writeFile(hba, rule + (await readFile(hba, 'utf8')));
    await stack.cluster.query('primary', 'SELECT pg_reload_conf()');

    secrets = await SecretsManagerStub.start();
    secrets.put(SECRET_ID, { username: TEST_APP_ROLE.user, password: TEST_APP_ROLE.password });
    for (const [name, value] of Object.entries({ ...AWS_ENV, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    const database = clusterDatabase(stack, 'modak', 'rotation');
    // The URL's password is not the role's: only the secret's lets a connection in.
    const primaryUrl = asRole(database.primaryUrl, { user: TEST_APP_ROLE.user, password: 'not-the-password' });
    api = await startApi(testApiEnv({ ...database, primaryUrl }, { DATABASE_PASSWORD_SECRET_ID: SECRET_ID }));
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await secrets?.stop();
    await stack?.cluster.destroy();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('connects with the password in the secret, which the primary checks', async () => {
    await expect(
      query(asRole(stack.primaryUrl, { ...TEST_APP_ROLE, password: 'not-the-password' }), 'SELECT 1'),
    ).rejects.toMatchObject({ code: '28P01' });
    expect(await currentUser()).toEqual({ name: TEST_APP_ROLE.user });
    expect(secrets.reads.length).toBeGreaterThanOrEqual(1);
  });

  it('after a rotation, new connections use the new password with no restart', async () => {
    const rotated = randomBytes(18).toString('base64url');
    // What a rotation does: the role's password changes, then the secret holds it.
    await query(stack.ownerUrl, `ALTER ROLE ${TEST_APP_ROLE.user} PASSWORD '${scramVerifier(rotated)}'`);
    secrets.put(SECRET_ID, { username: TEST_APP_ROLE.user, password: rotated });
    const readsBefore = secrets.reads.length;
    // Open connections survive a rotation; ending them makes the pool open new ones.
    await terminateAppConnections();

    let failures = 0;
    await eventually(
      () =>
        currentUser().then(
          (row) => row.name === TEST_APP_ROLE.user,
          () => (failures++, false),
        ),
      15_000,
    );
    // A dead pooled connection or two, and at most one refused password before the secret is read again.
    expect(failures).toBeLessThanOrEqual(3);
    expect(secrets.reads.length).toBeGreaterThan(readsBefore);
    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(200);
    // The old password no longer opens a connection: the api really is on the new one.
    await expect(query(asRole(stack.primaryUrl, TEST_APP_ROLE), 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  });
});
