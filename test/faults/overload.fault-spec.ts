import { clusterDatabase, startMigratedCluster, type MigratedCluster, type TestDatabase } from '@app/testing';
import pg from 'pg';
import { createAccounts, signIn, type Account } from '../support/accounts.js';
import { testApiEnv } from '../support/api.js';
import { fixtures } from '../support/fixtures.js';
import { ApiProcess } from '../support/api-process.js';
import { Load, type LoadClient, type Sample } from '../support/load.js';
import { ReadinessWatch } from './readiness-watch.js';
import { report, reportLoggedErrors } from './report.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The 99th percentile of the samples' latencies, in ms. */
function p99(samples: Sample[]): number {
  const latencies = samples.map((s) => s.endedAt - s.startedAt).sort((a, b) => a - b);
  return latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)];
}

/** `db_node_up` and `db_shed_total` of each node, from the api's metrics. */
async function nodeMetrics(url: string): Promise<{ up: Record<string, number>; shed: Record<string, number> }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (metric: string) =>
    Object.fromEntries(
      [...text.matchAll(new RegExp(`^${metric}\\{node="([^"]+)"\\} (\\d+)`, 'gm'))].map(([, node, value]) => [
        node,
        Number(value),
      ]),
    );
  return { up: read('db_node_up'), shed: read('db_shed_total') };
}

const HOG_CLIENTS = 24;
const QUIET_CLIENTS = 2;
const SATURATION_MS = 4_000;

// Saturates both pools with statements that hang on a lock, under a steady load of cheap reads: the busy pools shed
// their excess and stay in rotation, and the cheap reads keep their latency. It takes an exclusive lock on a table,
// so it runs on a cluster of its own; the api is a process of its own, as in production.
describe('overload: both pools saturated by statements that hang', () => {
  let stack: MigratedCluster;
  let database: TestDatabase;
  let api: ApiProcess;

  beforeAll(async () => {
    stack = await startMigratedCluster();
    database = clusterDatabase(stack, 'modak-overload', 'overload');
    // The hung statements outlast the saturation: every 503 then comes from the pools' admission, none from a
    // statement timeout.
    api = await ApiProcess.start(
      testApiEnv(database, {
        DATABASE_POOL_SIZE: '10',
        DATABASE_POOL_WAIT_MS: '500',
        DATABASE_REPLICA_TIMEOUT_MS: '30000',
        DATABASE_STATEMENT_TIMEOUT_MS: '30000',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    reportLoggedErrors([api]);
    await api?.kill();
    await stack?.cluster.destroy();
  });

  /** Each account with one task of its own (creator and assignee: nobody else is mailed, nobody else edits it). */
  async function seedTasks(accounts: Account[]): Promise<string[]> {
    const tasks = await fixtures(database).tasks.createMany(accounts.length, (index) => ({
      creatorId: accounts[index].id,
      assigneeId: accounts[index].id,
      title: 'contended',
    }));
    return tasks.map((task) => task.id);
  }

  /** Whether a plain read of `tasks` on the replica waits (for the lock replayed from the primary). */
  async function replicaBlocked(): Promise<boolean> {
    const client = new pg.Client({ connectionString: stack.replicaUrl, statement_timeout: 200 });
    await client.connect();
    try {
      await client.query('SELECT count(*) FROM tasks');
      return false;
    } catch {
      return true;
    } finally {
      await client.end();
    }
  }

  it('sheds the excess at once, keeps both nodes in rotation and cheap reads fast, and recovers', async () => {
    const url = `${api.url}/api/v1`;
    const [reader, ...members] = await createAccounts(database.primaryUrl, 1 + 2 * HOG_CLIENTS);
    const listers = members.slice(0, HOG_CLIENTS);
    const editors = members.slice(HOG_CLIENTS);
    const taskIds = await seedTasks(editors);
    const board = await fixtures(database).boards.create({
      authorId: reader.id,
      title: 'notice',
      content: 'read all along',
    });
    const readerToken = (await signIn(api.url, reader)).accessToken;
    const listerTokens = await Promise.all(
      listers.map(async (account) => (await signIn(api.url, account)).accessToken),
    );
    const editorTokens = await Promise.all(
      editors.map(async (account) => (await signIn(api.url, account)).accessToken),
    );
    await stack.cluster.waitForReplay();

    // The cheap reads, all along: a board by id (anonymous) and the reader's own account.
    const quiet = Load.start(
      async (client: LoadClient) => {
        await client.request('GET /boards/:id', `${url}/boards/${board.id}`);
        await client.request('GET /users/me', `${url}/users/me`, { token: readerToken });
      },
      { clients: QUIET_CLIENTS, thinkMs: 20 },
    );
    const watch = new ReadinessWatch([api.url], 100);
    const metrics: Awaited<ReturnType<typeof nodeMetrics>>[] = [];
    let scraping = true;
    const scraper = (async () => {
      while (scraping) {
        metrics.push(await nodeMetrics(api.url));
        await sleep(200);
      }
    })();

    const locker = new pg.Client({ connectionString: database.primaryUrl });
    await locker.connect();
    let hogs: Load | undefined;
    try {
      await sleep(2_000);
      const quietEnd = Date.now();

      // A transaction holds `tasks` exclusively: the lock reaches the replica too, so reads of `tasks` hang there and
      // changes hang on the primary, each holding a client of its node's pool.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE');
      // The lock's WAL record sits in a partly filled page until something flushes it: send it to the replica now.
      await stack.cluster.query('primary', 'SELECT pg_switch_wal()');
      const deadline = Date.now() + 5_000;
      while (!(await replicaBlocked())) {
        if (Date.now() > deadline) throw new Error('the lock never reached the replica');
        await sleep(50);
      }
      const versions = taskIds.map(() => 1);
      hogs = Load.start(
        async (client: LoadClient) => {
          const i = Math.floor(client.index / 2);
          if (client.index % 2 === 0) {
            await client.request('GET /tasks', `${url}/tasks?creatorId=me&perPage=5`, { token: listerTokens[i] });
            return;
          }
          const changed = await client.request('PATCH /tasks/:id', `${url}/tasks/${taskIds[i]}`, {
            method: 'PATCH',
            token: editorTokens[i],
            json: { version: versions[i], title: `changed ${client.iteration}` },
          });
          if (changed.status === 200) versions[i] = changed.body.version;
        },
        { clients: 2 * HOG_CLIENTS, thinkMs: 0, requestTimeoutMs: 60_000 },
      );
      const saturatedAt = Date.now();
      await sleep(SATURATION_MS);
      const releasedAt = Date.now();
      await locker.query('COMMIT');
      await hogs.stop();
      const loadEndedAt = Date.now();
      await sleep(5_000);
      await quiet.stop();
      scraping = false;
      await scraper;
      await watch.stop();

      const cheap = (from: number, to: number) => (s: Sample) =>
        !s.name.startsWith('PATCH') && !s.name.startsWith('GET /tasks') && s.startedAt >= from && s.startedAt < to;
      const quietP99 = p99(quiet.samples.filter(cheap(0, quietEnd)));
      const saturated = quiet.samples.filter(cheap(saturatedAt, releasedAt));
      const saturatedP99 = p99(saturated);
      // Within 5 s of the load ending: the last 2 s of that window.
      const recoveredP99 = p99(quiet.samples.filter(cheap(loadEndedAt + 3_000, loadEndedAt + 5_000)));
      const shed = hogs.samples.filter((s) => s.status === 503);
      const slowestShedMs = Math.max(...shed.map((s) => s.endedAt - s.startedAt));
      const [first, last] = [metrics.find((m) => Object.keys(m.up).length > 0)!, metrics.at(-1)!];
      report(
        'both pools saturated',
        { ...hogs.summary(), ...quiet.summary() },
        `cheap reads p99 ${quietP99} ms quiet, ${saturatedP99} ms saturated, ${recoveredP99} ms after; ` +
          `slowest 503 ${slowestShedMs} ms; shed ${JSON.stringify(last.shed)}`,
      );

      // The cheap reads never failed and kept their latency while both pools were full.
      expect(quiet.errors()).toEqual({});
      expect(saturated.length).toBeGreaterThan(20);
      expect(saturatedP99).toBeLessThan(200);
      // The hogs' excess was refused at once, as overload with Retry-After; what got in finished once the lock went.
      expect(hogs.errors((s) => s.status !== 503)).toEqual({});
      expect(shed.length).toBeGreaterThan(HOG_CLIENTS);
      expect(new Set(shed.map((s) => `${s.code} ${s.retryAfter}`))).toEqual(new Set(['OVERLOADED 2']));
      expect(slowestShedMs).toBeLessThan(1_500);
      expect(hogs.statuses((s) => s.name === 'PATCH /tasks/:id')['200']).toBeGreaterThan(0);
      // Both pools were saturated, and neither node left rotation; readiness said ok throughout.
      expect(last.shed.primary - (first.shed.primary ?? 0)).toBeGreaterThan(0);
      expect(last.shed['replica-1'] - (first.shed['replica-1'] ?? 0)).toBeGreaterThan(0);
      expect(metrics.every((m) => Object.values(m.up).every((up) => up === 1))).toBe(true);
      expect(watch.timeline(0)).toEqual(['ok 200']);
      // Within 5 s of the load ending, the cheap reads are as fast as before it.
      expect(recoveredP99).toBeLessThanOrEqual(Math.max(quietP99 * 2, quietP99 + 25));
    } finally {
      scraping = false;
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await hogs?.stop();
      await quiet.stop();
      await scraper;
      await watch.stop();
    }
  }, 90_000);
});
