import { clusterDatabase, startMigratedCluster, type MigratedCluster, type TestDatabase } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser as createAccount, login } from './support/auth.js';
import { eventually, json } from './support/http.js';
import { ProbeModule } from './support/probe.module.js';

interface ReadAnswer {
  servedByReplica: boolean;
  found: boolean;
}

// This suite pauses replay and stops the replica, so it runs on a cluster of its own.
describe('read routing between the primary and the replica', () => {
  let stack: MigratedCluster;
  let database: TestDatabase;
  let apiA: TestApi;
  let apiB: TestApi;

  beforeAll(async () => {
    stack = await startMigratedCluster();
    database = clusterDatabase(stack, 'modak', 'routing');
    // Two instances of the api, as behind the load balancer: they share only PostgreSQL and Redis.
    [apiA, apiB] = await Promise.all([
      startApi(testApiEnv(database), [ProbeModule]),
      startApi(testApiEnv(database), [ProbeModule]),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([apiA?.close(), apiB?.close()]);
    await stack?.cluster.destroy();
  });

  const createUser = async (api: TestApi, nickname: string, client?: string) => {
    const response = await fetch(`${api.url}/api/v1/probe/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(client ? { 'x-test-client': client } : {}) },
      body: JSON.stringify({ name: nickname }),
    });
    expect(response.status).toBe(201);
  };
  const read = async (api: TestApi, nickname: string, client?: string): Promise<ReadAnswer> => {
    const response = await fetch(`${api.url}/api/v1/probe/users?nickname=${nickname}`, {
      headers: client ? { 'x-test-client': client } : {},
    });
    expect(response.status).toBe(200);
    return json<ReadAnswer>(response);
  };
  const readiness = async (api: TestApi) => {
    const response = await fetch(`${api.url}/health/ready`);
    return {
      status: response.status,
      body: await json<{ status: string; checks: { replica: { status: string } } }>(response),
    };
  };
  const nickname = () => `u${randomUUID().slice(0, 8)}`;

  it('writes on the primary and serves plain reads from the replica', async () => {
    const name = nickname();
    await createUser(apiA, name);
    await stack.cluster.waitForReplay();
    await expect(read(apiA, name)).resolves.toEqual({ servedByReplica: true, found: true });
    await expect(read(apiB, name)).resolves.toEqual({ servedByReplica: true, found: true });
  });

  it('lets a client read its own write while replay is paused, on every instance, and nobody else', async () => {
    await stack.cluster.pauseReplay();
    try {
      const name = nickname();
      await createUser(apiA, name, 'client:alice');
      // Alice, on the instance she wrote to and on the other one: the primary answers.
      await expect(read(apiA, name, 'client:alice')).resolves.toEqual({ servedByReplica: false, found: true });
      await expect(read(apiB, name, 'client:alice')).resolves.toEqual({ servedByReplica: false, found: true });
      // Bob is served by the paused replica, which has not seen the write: the replica really is stale and in use.
      await expect(read(apiB, name, 'client:bob')).resolves.toEqual({ servedByReplica: true, found: false });
      await expect(read(apiA, name)).resolves.toEqual({ servedByReplica: true, found: false });
    } finally {
      await stack.cluster.resumeReplay();
    }
    await stack.cluster.waitForReplay();
    // Once the replica has replayed her write, Alice's reads go back to it.
    await eventually(async () => (await read(apiA, 'nobody', 'client:alice')).servedByReplica);
  });

  it('falls back to the primary inside the request when the replica stops, reports degraded, then recovers', async () => {
    const name = nickname();
    await createUser(apiA, name);
    await stack.cluster.waitForReplay();
    await stack.cluster.stopReplica();
    try {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => read(i % 2 ? apiA : apiB, name)));
      expect(answers.every((answer) => answer.found)).toBe(true);
      await eventually(async () => (await readiness(apiA)).body.status === 'degraded');
      const { status, body } = await readiness(apiA);
      expect(status).toBe(200);
      expect(body.checks.replica.status).toBe('degraded');
      await expect(read(apiA, name)).resolves.toEqual({ servedByReplica: false, found: true });
    } finally {
      await stack.cluster.startReplica();
    }
    await eventually(async () => (await readiness(apiA)).body.status === 'ok', 15_000);
    await eventually(async () => (await read(apiA, name)).servedByReplica, 15_000);
  }, 60_000);

  it('shows an author a new or edited board at once while replay is paused; others see the replica', async () => {
    const author = (await login(apiA, await createAccount(apiA))).accessToken;
    await stack.cluster.waitForReplay();
    await stack.cluster.pauseReplay();
    try {
      const created = await call(apiA, '/boards', author, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'fresh', content: 'written while the replica lags' }),
      });
      expect(created.status).toBe(201);
      const { id } = await json<{ id: string }>(created);
      // The author, on either instance, reads it back at once...
      expect((await call(apiB, `/boards/${id}`, author)).status).toBe(200);
      const mine = await json<{ items: { id: string }[] }>(await call(apiA, '/boards?limit=5', author));
      expect(mine.items.map((board) => board.id)).toContain(id);
      // ...while an anonymous reader is served by the paused replica, which does not have it yet.
      expect((await call(apiA, `/boards/${id}`)).status).toBe(404);

      await call(apiB, `/boards/${id}`, author, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'edited' }),
      });
      expect((await json<{ title: string }>(await call(apiA, `/boards/${id}`, author))).title).toBe('edited');
    } finally {
      await stack.cluster.resumeReplay();
    }
  }, 30_000);

  it('lets a client that just signed in read the account it created before it was known', async () => {
    await stack.cluster.waitForReplay();
    await stack.cluster.pauseReplay();
    try {
      // Written with no client known (as a signup or a first Kakao sign-in is), so no position was recorded for it.
      const user = await createAccount(apiA, { awaitReplica: false });
      const { accessToken } = await login(apiA, user);
      const me = await call(apiB, '/users/me', accessToken);
      expect(me.status).toBe(200);
      expect((await json<{ id: string }>(me)).id).toBe(user.id);
    } finally {
      await stack.cluster.resumeReplay();
    }
  });

  it('shows a creator a new or changed task and its events at once while replay is paused; others see the replica', async () => {
    const creator = (await login(apiA, await createAccount(apiA))).accessToken;
    const otherUser = await createAccount(apiA);
    const other = (await login(apiA, otherUser)).accessToken;
    await stack.cluster.waitForReplay();
    // The other client's sign-in is replayed and the api knows it: its reads go to the replica again.
    await eventually(async () => (await read(apiA, 'nobody', `user:${otherUser.id}`)).servedByReplica);
    await stack.cluster.pauseReplay();
    try {
      const send = (api: TestApi, method: string, path: string, body: unknown) =>
        call(api, path, creator, {
          method,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const created = await send(apiA, 'POST', '/tasks', { title: 'written while the replica lags' });
      expect(created.status).toBe(201);
      const { id } = await json<{ id: string }>(created);
      expect((await send(apiB, 'PATCH', `/tasks/${id}`, { version: 1, status: 'DONE' })).status).toBe(200);
      // The creator, on either instance, sees the task as changed, with both events, and in the list...
      expect(await json(await call(apiA, `/tasks/${id}`, creator))).toMatchObject({ status: 'DONE', version: 2 });
      const events = await json<unknown[]>(await call(apiB, `/tasks/${id}/events`, creator));
      expect(events).toHaveLength(2);
      const mine = await json<{ items: { id: string }[] }>(await call(apiA, '/tasks?creatorId=me', creator));
      expect(mine.items.map((task) => task.id)).toContain(id);
      // ...while another client is served by the paused replica, which does not have it yet.
      expect((await call(apiA, `/tasks/${id}`, other)).status).toBe(404);
    } finally {
      await stack.cluster.resumeReplay();
    }
  }, 30_000);

  // Last: passport keeps one strategy registry per process, so the most recently started api's strategy (and its
  // Redis client) serves every api of this process; this test starts and closes one of its own.
  it('boots with the replica down and starts using it once it is up', async () => {
    await stack.cluster.stopReplica();
    let api: TestApi | undefined;
    try {
      api = await startApi(testApiEnv(database), [ProbeModule]);
      const { status, body } = await readiness(api);
      expect(status).toBe(200);
      expect(body.status).toBe('degraded');
      await expect(read(api, 'nobody')).resolves.toEqual({ servedByReplica: false, found: false });
      await stack.cluster.startReplica();
      await eventually(async () => (await read(api!, 'nobody')).servedByReplica, 15_000);
    } finally {
      await stack.cluster.startReplica();
      await api?.close();
    }
  }, 60_000);

  it('takes a replica that falls too far behind out of rotation, and back once it catches up', async () => {
    const api = await startApi({ ...testApiEnv(database), DATABASE_REPLICA_MAX_LAG_MS: '1000' }, [ProbeModule]);
    try {
      await stack.cluster.pauseReplay();
      const name = nickname();
      await createUser(api, name);
      // Within the allowed lag, anonymous reads still go to the (stale) replica...
      await expect(read(api, name)).resolves.toEqual({ servedByReplica: true, found: false });
      // ...beyond it, the primary serves them and readiness says degraded.
      await eventually(async () => (await readiness(api)).body.status === 'degraded', 10_000);
      expect((await readiness(api)).status).toBe(200);
      await expect(read(api, name)).resolves.toEqual({ servedByReplica: false, found: true });
      await stack.cluster.resumeReplay();
      await eventually(async () => (await read(api, name)).servedByReplica, 10_000);
      await expect(read(api, name)).resolves.toEqual({ servedByReplica: true, found: true });
    } finally {
      await stack.cluster.resumeReplay();
      await api.close();
    }
  }, 30_000);
});
