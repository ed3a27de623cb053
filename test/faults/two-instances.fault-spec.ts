import { createTestDatabase, type TestDatabase } from '@app/testing';
import { createAccounts, signIn } from '../support/accounts.js';
import { testApiEnv } from '../support/api.js';
import { ApiProcess } from '../support/api-process.js';
import type { Tokens } from '../support/auth.js';
import { LoadBalancer } from '../support/load-balancer.js';
import { Load, type LoadClient } from '../support/load.js';
import { report, reportLoggedErrors } from './report.js';

const CLIENTS = 8;
const FAILED_LOGINS_ALLOWED = 6;
const LOGINS_PER_IP = 10;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are walked freely, as json() does
  body: any;
}

async function send(url: string, init: { token?: string; json?: unknown; ip?: string; method?: string } = {}) {
  const response = await fetch(url, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
      // The apis trust one hop of X-Forwarded-For, as behind the ALB: each test acts from its own address.
      ...(init.ip ? { 'x-forwarded-for': init.ip } : {}),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  const answer: Answer = { status: response.status, body: text ? JSON.parse(text) : undefined };
  return answer;
}

// Two instances of the api as separate processes (each with its own passport registry, pools and Redis clients)
// behind a round-robin load balancer: they share only PostgreSQL and Redis, and must agree through them.
describe('two api instances behind a load balancer', () => {
  let database: TestDatabase;
  let apis: ApiProcess[] = [];
  let balancer: LoadBalancer;
  let readers: Tokens[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = testApiEnv(database, {
      RATE_LIMIT_LOGIN_ACCOUNT_IP: `${FAILED_LOGINS_ALLOWED}/1m`,
      RATE_LIMIT_LOGIN_IP: `${LOGINS_PER_IP}/1m`,
    });
    apis = await Promise.all([ApiProcess.start(env), ApiProcess.start(env)]);
    balancer = await LoadBalancer.start(apis.map((api) => api.url));
    const accounts = await createAccounts(database.primaryUrl, CLIENTS);
    readers = await Promise.all(accounts.map((account) => signIn(balancer.url, account)));
  }, 60_000);

  afterAll(async () => {
    reportLoggedErrors(apis);
    await balancer?.stop();
    await Promise.all(apis.map((api) => api.kill()));
  });

  const on = (instance: number, route: string) => `${apis[instance].url}/api/v1${route}`;

  /** Runs `body` while signed-in clients read and write through the load balancer; none of their requests may fail. */
  const underLoad = async (body: () => Promise<void>) => {
    const url = `${balancer.url}/api/v1`;
    const step = async (client: LoadClient) => {
      const token = readers[client.index].accessToken;
      await client.request('GET /boards', `${url}/boards?limit=5`);
      await client.request('GET /users/me', `${url}/users/me`, { token });
      if (client.iteration % 4 === 0) {
        const board = await client.request('POST /boards', `${url}/boards`, {
          token,
          json: { title: 'busy day', content: 'two instances' },
        });
        if (board.status === 201) await client.request('GET /boards/:id', `${url}/boards/${board.body.id}`, { token });
      }
    };
    const load = Load.start(step, { clients: CLIENTS, thinkMs: 10 });
    try {
      // The load is steady before the test acts and still running after it.
      await sleep(500);
      await body();
      await sleep(500);
    } finally {
      await load.stop();
    }
    report(`two instances, ${expect.getState().currentTestName}`, load.summary());
    expect(load.errors()).toEqual({});
    expect(load.failures).toEqual([]);
    expect(new Set(load.samples.map((s) => s.upstream))).toEqual(new Set(['0', '1']));
  };

  it('keeps one session across instances: signed in on one, refreshed on the other, ended on both by a logout', () =>
    underLoad(async () => {
      const [account] = await createAccounts(database.primaryUrl, 1);
      const first = await signIn(apis[0].url, account);
      const second = await send(on(1, '/auth/refresh'), { json: { refreshToken: first.refreshToken } });
      expect(second.status).toBe(200);
      // The session carries on, from either side.
      for (const instance of [0, 1]) {
        const me = await send(on(instance, '/users/me'), { token: second.body.accessToken });
        expect(me).toMatchObject({ status: 200, body: { id: account.id } });
      }
      const third = await send(on(0, '/auth/refresh'), { json: { refreshToken: second.body.refreshToken } });
      expect(third.status).toBe(200);
      const sessions = await send(on(1, '/auth/sessions'), { token: third.body.accessToken });
      expect(sessions.body).toHaveLength(1);

      expect((await send(on(0, '/auth/logout'), { method: 'POST', token: third.body.accessToken })).status).toBe(204);
      // Ended everywhere: the access token and the refresh token, on the instance that did not see the logout too.
      for (const instance of [1, 0]) {
        const me = await send(on(instance, '/users/me'), { token: third.body.accessToken });
        expect(me).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
        const again = await send(on(instance, '/auth/refresh'), { json: { refreshToken: third.body.refreshToken } });
        expect(again).toMatchObject({ status: 401, body: { code: 'INVALID_REFRESH_TOKEN' } });
      }
    }));

  it('ends a login on both instances when a rotated refresh token comes back on the other one', () =>
    underLoad(async () => {
      const [account] = await createAccounts(database.primaryUrl, 1);
      const first = await signIn(apis[0].url, account);
      const second = await send(on(1, '/auth/refresh'), { json: { refreshToken: first.refreshToken } });
      const third = await send(on(0, '/auth/refresh'), { json: { refreshToken: second.body.refreshToken } });
      expect([second.status, third.status]).toEqual([200, 200]);
      // The first token, two rotations old, is replayed on the other instance: the whole login ends.
      const replayed = await send(on(1, '/auth/refresh'), { json: { refreshToken: first.refreshToken } });
      expect(replayed).toMatchObject({ status: 401, body: { code: 'TOKEN_REUSED' } });
      for (const instance of [0, 1]) {
        expect((await send(on(instance, '/users/me'), { token: third.body.accessToken })).status).toBe(401);
        const latest = await send(on(instance, '/auth/refresh'), { json: { refreshToken: third.body.refreshToken } });
        expect(latest.status).toBe(401);
      }
    }));

  it('gives concurrent refreshes of one token on both instances one successor', () =>
    underLoad(async () => {
      const [account] = await createAccounts(database.primaryUrl, 1);
      const { refreshToken } = await signIn(apis[0].url, account);
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => send(on(i % 2, '/auth/refresh'), { json: { refreshToken } })),
      );
      // Each answer is the successor, or a retryable 409 while it is being made; never a second branch, never a 5xx.
      const statuses = new Set(answers.map((answer) => answer.status));
      expect([...statuses].every((status) => status === 200 || status === 409)).toBe(true);
      const successors = new Set(answers.filter((a) => a.status === 200).map((a) => a.body.refreshToken as string));
      expect(successors.size).toBe(1);
      const [successor] = successors;
      expect((await send(on(1, '/auth/refresh'), { json: { refreshToken: successor } })).status).toBe(200);
    }));

  it('counts failed sign-ins on both instances against one limit', () =>
    underLoad(async () => {
      const [account] = await createAccounts(database.primaryUrl, 1);
      const ip = '198.51.100.20';
      // Wrong passwords, alternating between the instances: the limit is reached at the same total as on one.
      const statuses: number[] = [];
      for (let attempt = 0; attempt < FAILED_LOGINS_ALLOWED + 2; attempt += 1) {
        const answer = await send(on(attempt % 2, '/auth/login'), {
          json: { email: account.email, password: 'not-the-password' },
          ip,
        });
        statuses.push(answer.status);
      }
      expect(statuses).toEqual([...Array<number>(FAILED_LOGINS_ALLOWED).fill(401), 429, 429]);
      // The right password from another address still works: the count is per account and address.
      expect(
        (
          await send(on(1, '/auth/login'), {
            json: { email: account.email, password: account.password },
            ip: '198.51.100.21',
          })
        ).status,
      ).toBe(200);
    }));

  it('counts sign-ins from one address on both instances against one limit', () =>
    underLoad(async () => {
      const accounts = await createAccounts(database.primaryUrl, LOGINS_PER_IP + 2);
      const ip = '198.51.100.30';
      const statuses: number[] = [];
      for (const [attempt, account] of accounts.entries()) {
        const answer = await send(on(attempt % 2, '/auth/login'), {
          json: { email: account.email, password: 'not-the-password' },
          ip,
        });
        statuses.push(answer.status);
      }
      expect(statuses).toEqual([...Array<number>(LOGINS_PER_IP).fill(401), 429, 429]);
    }));
});
