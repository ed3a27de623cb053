import { clusterDatabase, startMigratedCluster, type MigratedCluster, type TestDatabase } from '@app/testing';
import { createAccounts, signIn } from '../support/accounts.js';
import { testApiEnv } from '../support/api.js';
import { ApiProcess } from '../support/api-process.js';
import { Load, type LoadClient, type Sample } from '../support/load.js';
import { ReadinessWatch } from './readiness-watch.js';
import { report, reportLoggedErrors } from './report.js';

const CLIENTS = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `db_reads_total` of one instance, by the node that served the reads. */
async function readsServed(url: string): Promise<Record<'replica' | 'primary' | 'fallback', number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const count = (node: string) =>
    Number(new RegExp(`^db_reads_total\\{served_by="${node}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { replica: count('replica'), primary: count('primary'), fallback: count('fallback') };
}

// Stops the replica and pauses its replay under load, so it runs on a cluster of its own. The two apis are processes
// of their own, as two tasks behind the load balancer: they share only PostgreSQL and Redis.
describe('the replica failing under load', () => {
  let stack: MigratedCluster;
  let database: TestDatabase;
  let apis: ApiProcess[] = [];

  beforeAll(async () => {
    stack = await startMigratedCluster();
    database = clusterDatabase(stack, 'modak-replica-faults', 'replica-faults');
    apis = await Promise.all([ApiProcess.start(testApiEnv(database)), ApiProcess.start(testApiEnv(database))]);
  }, 60_000);

  afterAll(async () => {
    reportLoggedErrors(apis);
    await Promise.all(apis.map((api) => api.kill()));
    await stack?.cluster.destroy();
  });

  const urlOf = (instance: number) => `${apis[instance % apis.length].url}/api/v1`;

  it('serves every read while the replica stops and starts again; readiness says degraded, then ok', async () => {
    const [author] = await createAccounts(database.primaryUrl, 1);
    const { accessToken } = await signIn(apis[0].url, author);
    const boardIds: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const created = await fetch(`${urlOf(i)}/boards`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ title: `notice ${i}`, content: 'read while the replica comes and goes' }),
      });
      expect(created.status).toBe(201);
      boardIds.push(((await created.json()) as { id: string }).id);
    }
    await stack.cluster.waitForReplay();
    const readsNow = () => Promise.all(apis.map((api) => readsServed(api.url)));

    // Readers on both instances: the list by page and by cursor and single boards anonymously, and the signed-in
    // author's own account.
    const read = async (client: LoadClient) => {
      const base = urlOf(client.index + client.iteration);
      const id = boardIds[(client.index + client.iteration) % boardIds.length];
      await client.request('GET /boards/:id', `${base}/boards/${id}`);
      await client.request('GET /boards?limit', `${base}/boards?limit=5`);
      await client.request('GET /boards?page', `${base}/boards?page=1&perPage=5`);
      await client.request('GET /users/me', `${base}/users/me`, { token: accessToken });
    };
    const watch = new ReadinessWatch(apis.map((api) => api.url));
    const load = Load.start(read, { clients: CLIENTS });
    let stoppedAt = 0;
    let startedAt = 0;
    // db_reads_total of each instance before the stop, before the start, and at the end.
    const snapshots: Awaited<ReturnType<typeof readsNow>>[] = [];
    try {
      await sleep(1_000);
      snapshots.push(await readsNow());
      stoppedAt = Date.now();
      await stack.cluster.stopReplica();
      // Both instances notice (readiness degraded) and keep serving from the primary for a while.
      await waitFor(() => apis.every((_, i) => watch.latest(i)?.status === 'degraded'), 10_000);
      await sleep(2_000);
      snapshots.push(await readsNow());
      startedAt = Date.now();
      await stack.cluster.startReplica();
      await waitFor(() => apis.every((_, i) => watch.latest(i)?.status === 'ok'), 15_000);
      await sleep(1_000);
    } finally {
      await stack.cluster.startReplica();
      await load.stop();
      await watch.stop();
    }
    snapshots.push(await readsNow());
    const [beforeStop, beforeStart, after] = snapshots;

    const outage = load.statuses((s) => s.endedAt >= stoppedAt && s.startedAt <= startedAt);
    report('replica stopped and started', load.summary(), `${outage['200']} while the replica was away`);
    // Not one read failed, before, during or after the outage, and reads really happened during it (numbered pages
    // included: their several statements may lose the replica's connection halfway, and move to the primary).
    expect(load.errors()).toEqual({});
    expect(outage['200']).toBeGreaterThanOrEqual(CLIENTS);
    expect(load.failures).toEqual([]);
    for (const [instance] of apis.entries()) {
      expect(watch.timeline(instance)).toEqual(['ok 200', 'degraded 200', 'ok 200']);
      // The replica served reads before, the primary stood in while it was away, and the replica serves again.
      expect(beforeStop[instance].replica).toBeGreaterThan(0);
      expect(beforeStart[instance].primary - beforeStop[instance].primary).toBeGreaterThan(0);
      expect(after[instance].replica - beforeStart[instance].replica).toBeGreaterThan(0);
    }
  }, 60_000);

  it('never lets a client miss its own write while replay is paused for 10 s, on either instance', async () => {
    const writers = await createAccounts(database.primaryUrl, CLIENTS);
    const tokens = await Promise.all(writers.map((account, i) => signIn(apis[i % 2].url, account)));
    await stack.cluster.waitForReplay();
    const fresh: string[] = [];

    // Each writer writes on one instance and reads back at once on the other (then the other way round): a board,
    // the author's list, a task changed on the second instance and read back with its events on the first.
    const write = async (client: LoadClient) => {
      const token = tokens[client.index].accessToken;
      const here = urlOf(client.iteration);
      const there = urlOf(client.iteration + 1);
      const title = `written by ${client.index} at ${client.iteration}`;
      const board = await client.request('POST /boards', `${here}/boards`, { token, json: { title, content: '.' } });
      if (board.status !== 201) return;
      const id = (board.body as { id: string }).id;
      const read = await client.request('read back GET /boards/:id', `${there}/boards/${id}`, { token });
      if (read.status === 200 && read.body.title !== title)
        throw new Error(`board ${id} read back as ${read.body.title}`);
      const list = await client.request(
        'read back GET /boards?authorId',
        `${there}/boards?authorId=${writers[client.index].id}&limit=3`,
        { token },
      );
      if (list.status === 200 && !(list.body.items as { id: string }[]).some((item) => item.id === id)) {
        throw new Error(`board ${id} missing from its author's list`);
      }
      fresh.push(id);

      const task = await client.request('POST /tasks', `${here}/tasks`, { token, json: { title } });
      if (task.status !== 201) return;
      const taskId = (task.body as { id: string }).id;
      await client.request('read back PATCH /tasks/:id', `${there}/tasks/${taskId}`, {
        method: 'PATCH',
        token,
        json: { version: 1, status: 'IN_PROGRESS' },
      });
      const changed = await client.request('read back GET /tasks/:id', `${here}/tasks/${taskId}`, { token });
      if (changed.status === 200 && (changed.body.version !== 2 || changed.body.status !== 'IN_PROGRESS')) {
        throw new Error(`task ${taskId} read back at version ${changed.body.version}`);
      }
      const events = await client.request('read back GET /tasks/:id/events', `${there}/tasks/${taskId}/events`, {
        token,
      });
      if (events.status === 200 && (events.body as unknown[]).length !== 2) {
        throw new Error(`task ${taskId} read back with ${(events.body as unknown[]).length} events`);
      }
    };
    // Someone else reads the newest boards anonymously: the paused replica serves them, without the fresh writes.
    const look = async (client: LoadClient) => {
      const id = fresh.at(-1 - (client.iteration % 5));
      if (id) await client.request('anonymous GET /boards/:id', `${urlOf(client.iteration)}/boards/${id}`);
    };

    const load = Load.start((client) => (client.index < CLIENTS ? write(client) : look(client)), {
      clients: CLIENTS + 1,
    });
    let pausedAt = 0;
    let resumedAt = 0;
    try {
      await sleep(500);
      pausedAt = Date.now();
      await stack.cluster.pauseReplay();
      await sleep(10_000);
      resumedAt = Date.now();
      await stack.cluster.resumeReplay();
      await sleep(1_000);
    } finally {
      await stack.cluster.resumeReplay();
      await load.stop();
    }

    const duringPause = (s: Sample) => s.startedAt >= pausedAt && s.endedAt <= resumedAt;
    const readBacks = (s: Sample) => s.name.startsWith('read back');
    const anonymous = (s: Sample) => s.name.startsWith('anonymous');
    report(
      'replay paused 10 s',
      load.summary(),
      `${load.samples.filter((s) => readBacks(s) && duringPause(s)).length} read-backs while paused`,
    );
    // Every write succeeded and every read-back found it, on the other instance as on the same one.
    expect(load.errors((s) => !anonymous(s))).toEqual({});
    expect(load.failures).toEqual([]);
    expect(load.samples.filter((s) => readBacks(s) && duringPause(s)).length).toBeGreaterThanOrEqual(CLIENTS);
    // Meanwhile the replica was really behind and in use: anonymous readers did not find fresh boards (404), and
    // nothing but 200 or 404 came back to them.
    expect(load.statuses((s) => anonymous(s) && duringPause(s))['404']).toBeGreaterThan(0);
    expect(Object.keys(load.statuses(anonymous)).filter((status) => status !== '200' && status !== '404')).toEqual([]);
  }, 60_000);
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}
