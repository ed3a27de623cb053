import {
  clusterDatabase,
  RedisServer,
  startMigratedCluster,
  type MigratedCluster,
  type TestDatabase,
} from '@app/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApi, testApiEnv, type TestApi } from '../support/api.js';
import { call, createUser, login } from '../support/auth.js';
import { eventually, json } from '../support/http.js';

// A write made while Redis is away cannot be recorded for its author; once Redis is back, the author must still read
// it, on any instance, though the replica (replay paused) has not replayed it.
describe('read-your-writes across a Redis outage', () => {
  let stack: MigratedCluster;
  let dataDir: string;
  let redis: RedisServer;
  let apiA: TestApi;
  let apiB: TestApi;

  beforeAll(async () => {
    stack = await startMigratedCluster();
    dataDir = await mkdtemp(path.join(tmpdir(), 'modak-redis-'));
    redis = await RedisServer.start({ dataDir });
    const database: TestDatabase = clusterDatabase(stack, 'modak', 'outage-ryw');
    const env = testApiEnv(database, { REDIS_URL: redis.url });
    [apiA, apiB] = await Promise.all([startApi(env), startApi(env)]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([apiA?.close(), apiB?.close()]);
    await redis?.stop();
    await stack?.cluster.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  const patch = (api: TestApi, token: string, id: string, body: unknown) =>
    call(api, `/tasks/${id}`, token, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('shows the author a change made during the outage, on either instance, while the replica lags', async () => {
    const { accessToken } = await login(apiA, await createUser(apiA));
    const created = await call(apiA, '/tasks', accessToken, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'before the outage' }),
    });
    const { id } = await json<{ id: string }>(created);
    await stack.cluster.waitForReplay();
    // The author's recorded position is replayed: their reads are the replica's again.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await stack.cluster.pauseReplay();
    try {
      await redis.stop();
      try {
        const changed = await patch(apiA, accessToken, id, { version: 1, title: 'during the outage' });
        expect(changed.status).toBe(200);
      } finally {
        await redis.start();
      }
      // Once Redis answers again (the session survived: it persists), both instances show the change.
      await eventually(async () => (await call(apiB, `/tasks/${id}`, accessToken)).status === 200, 10_000);
      for (const api of [apiB, apiA, apiB]) {
        const task = await json<{ title: string; version: number }>(await call(api, `/tasks/${id}`, accessToken));
        expect(task).toMatchObject({ title: 'during the outage', version: 2 });
      }
    } finally {
      await stack.cluster.resumeReplay();
    }
  }, 60_000);
});
