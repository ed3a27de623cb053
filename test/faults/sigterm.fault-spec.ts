import { createTestDatabase, type TestDatabase } from '@app/testing';
import { createAccounts, signIn, type Account } from '../support/accounts.js';
import { testApiEnv } from '../support/api.js';
import { ApiProcess, type Exit } from '../support/api-process.js';
import type { Tokens } from '../support/auth.js';
import { LoadBalancer } from '../support/load-balancer.js';
import { Load, type LoadClient } from '../support/load.js';
import { report, reportLoggedErrors } from './report.js';

const CLIENTS = 12;
const DRAIN_MS = 1_500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The api drains on SIGTERM: readiness fails at once, requests keep being served for SHUTDOWN_DRAIN_MS (time for
// the load balancer to notice), then the server stops accepting, what is in flight finishes, and the process exits 0.
describe('SIGTERM under load', () => {
  let database: TestDatabase;
  let accounts: Account[];
  const started: ApiProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    accounts = await createAccounts(database.primaryUrl, CLIENTS);
  });

  afterAll(async () => {
    reportLoggedErrors(started);
    await Promise.all(started.map((api) => api.kill()));
  });

  const startApi = async (drainMs: number) => {
    const api = await ApiProcess.start(testApiEnv(database, { SHUTDOWN_DRAIN_MS: String(drainMs) }));
    started.push(api);
    return api;
  };

  /** What an SPA does all day: the board list, its account, a new task read back at once, now and then a sign-in. */
  const workday = (base: () => string, tokens: Tokens[]) => async (client: LoadClient) => {
    const url = `${base()}/api/v1`;
    const token = tokens[client.index].accessToken;
    await client.request('GET /boards', `${url}/boards?limit=5`);
    await client.request('GET /users/me', `${url}/users/me`, { token });
    const task = await client.request('POST /tasks', `${url}/tasks`, { token, json: { title: 'during a deploy' } });
    if (task.status === 201) await client.request('GET /tasks/:id', `${url}/tasks/${task.body.id}`, { token });
    if (client.iteration % 5 === client.index % 5) {
      const { email, password } = accounts[client.index];
      await client.request('POST /auth/login', `${url}/auth/login`, { json: { email, password } });
    }
  };

  it('takes an instance out from behind the load balancer without failing a request, and exits 0', async () => {
    const apis = [await startApi(DRAIN_MS), await startApi(DRAIN_MS)];
    const balancer = await LoadBalancer.start(
      apis.map((api) => api.url),
      { healthCheckIntervalMs: 100 },
    );
    try {
      const tokens = await Promise.all(accounts.map((account) => signIn(balancer.url, account)));
      const load = Load.start(
        workday(() => balancer.url, tokens),
        { clients: CLIENTS },
      );
      const at = { signal: 0, exit: 0 };
      let exit: Exit | undefined;
      try {
        await sleep(1_000);
        at.signal = Date.now();
        exit = await apis[0].stop('SIGTERM');
        at.exit = Date.now();
        await sleep(1_000);
      } finally {
        await load.stop();
      }
      const { signal: signalAt, exit: exitAt } = at;

      const toDrained = balancer.forwarded.filter((f) => f.upstream === 0);
      const inFlight = toDrained.filter((f) => f.startedAt <= signalAt && f.endedAt >= signalAt);
      const afterSignal = toDrained.filter((f) => f.startedAt > signalAt);
      const draining = balancer.healthChecks.find(
        (check) => check.upstream === 0 && check.at > signalAt && check.status === 503,
      );
      report(
        'SIGTERM behind the load balancer',
        load.summary(),
        `${inFlight.length} in flight on the stopping instance at the signal, ${afterSignal.length} sent to it ` +
          `during the drain, exit ${exitAt - signalAt} ms after the signal`,
      );
      expect(exit).toEqual({ code: 0, signal: null });
      // Not one request failed, and the stopping instance really had work after the signal: in flight, or sent to
      // it before the balancer noticed. All of it was answered.
      expect(load.errors()).toEqual({});
      expect(load.failures).toEqual([]);
      expect(inFlight.length + afterSignal.length).toBeGreaterThan(0);
      expect(toDrained.filter((f) => f.status < 200 || f.status >= 300)).toEqual([]);
      // Readiness failed first ('draining', 503) and the balancer took the instance out of rotation, long before the
      // server stopped accepting.
      expect(draining).toBeDefined();
      expect(JSON.parse(draining!.body)).toMatchObject({ status: 'draining' });
      expect(draining!.at - signalAt).toBeLessThan(DRAIN_MS);
      expect(exitAt - signalAt).toBeGreaterThanOrEqual(DRAIN_MS);
      // After the exit, the other instance served everything.
      expect(new Set(load.samples.filter((s) => s.startedAt > exitAt).map((s) => s.upstream))).toEqual(new Set(['1']));
    } finally {
      await balancer.stop();
    }
  }, 60_000);

  it('finishes every request in flight when SIGTERM arrives, with no drain time, and exits 0', async () => {
    const api = await startApi(0);
    const tokens = await Promise.all(accounts.map((account) => signIn(api.url, account)));
    const load = Load.start(
      workday(() => api.url, tokens),
      { clients: CLIENTS },
    );
    const at = { signal: 0, exit: 0 };
    let exit: Exit | undefined;
    try {
      await sleep(1_000);
      at.signal = Date.now();
      exit = await api.stop('SIGTERM');
      at.exit = Date.now();
    } finally {
      await load.stop();
    }
    const { signal: signalAt, exit: exitAt } = at;

    const inFlight = load.samples.filter((s) => s.startedAt < signalAt && s.endedAt >= signalAt);
    report(
      'SIGTERM with no drain time',
      load.summary((s) => s.startedAt < signalAt),
      `${inFlight.length} in flight at the signal, exit ${exitAt - signalAt} ms after it; started after the signal: ` +
        JSON.stringify(load.summary((s) => s.startedAt >= signalAt)),
    );
    expect(exit).toEqual({ code: 0, signal: null });
    // Everything sent before the signal was answered, the requests in flight included.
    expect(inFlight.length).toBeGreaterThan(0);
    expect(load.errors((s) => s.startedAt < signalAt)).toEqual({});
    expect(load.failures).toEqual([]);
    // Later requests may find the door closed (refused, or 503 while closing), but never an error of the api's own.
    expect(load.statuses((s) => s.startedAt >= signalAt)).not.toHaveProperty('500');
  }, 60_000);
});
