import { Role } from '@app/core';
import { createTestDatabase, RedisServer, SmtpSink, type TestDatabase } from '@app/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApi, testApiEnv, type TestApi } from '../support/api.js';
import { call, createUser, login, post, refresh, type Tokens, type TestUser } from '../support/auth.js';
import { eventually, json } from '../support/http.js';
import { pendingMail } from '../support/outbox.js';
import { Load, type LoadClient, type Sample } from '../support/load.js';
import { startWorker, testWorkerEnv, type TestWorker } from '../support/worker.js';
import { ReadinessWatch } from './readiness-watch.js';
import { report } from './report.js';

const CLIENTS = 8;
const OUTAGE_MS = 4_000;
const RECOVERY_MS = 5_000;
const QUEUED_MAILS = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Member {
  user: TestUser;
  tokens: Tokens;
}

// The api and the worker share a Redis of their own that persists every write (append-only file, fsync always), as
// a production Redis does; the test kills it as a crash would and starts it again on the same port.
describe('Redis crashing under load and coming back', () => {
  let database: TestDatabase;
  let dataDir: string;
  let redis: RedisServer;
  let sink: SmtpSink;
  let api: TestApi;
  let worker: TestWorker;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'modak-redis-'));
    redis = await RedisServer.start({ dataDir });
    sink = await SmtpSink.start();
    // Clients refresh every half second here: the outage, not the refresh limit, is under test.
    api = await startApi(testApiEnv(database, { REDIS_URL: redis.url, RATE_LIMIT_REFRESH_SESSION: '300/1m' }));
    worker = await startWorker(testWorkerEnv(database, { SMTP_URL: sink.url, REDIS_URL: redis.url }));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await sink?.stop();
    await redis?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const signedIn = async (): Promise<Member> => {
    const user = await createUser(api);
    return { user, tokens: await login(api, user) };
  };
  const send = (method: string, route: string, token: string, body: unknown) =>
    call(api, route, token, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const undispatched = (subject: string) => pendingMail(database, api.config.mailSealKey, subject);

  it('answers 503 only where Redis is needed, keeps serving the rest, and loses no session or queued mail', async () => {
    const base = `${api.url}/api/v1`;
    const members = await Promise.all(Array.from({ length: CLIENTS }, signedIn));
    const visitor = await createUser(api);
    // Sessions nobody touches during the outage; and one that was ended before it.
    const kept = await Promise.all(Array.from({ length: 3 }, signedIn));
    const ended = await signedIn();
    expect((await call(api, '/auth/logout', ended.tokens.accessToken, { method: 'POST' })).status).toBe(204);
    const admin = await login(api, await createUser(api, { role: Role.Admin }));
    expect((await call(api, '/admin/users', admin.accessToken)).status).toBe(200);

    const assignee = await createUser(api);
    const creator = members[0];
    const boardIds: string[] = [];
    const tasks: { id: string; version: number }[] = [];
    for (const member of members) {
      const board = await json(
        await send('POST', '/boards', member.tokens.accessToken, {
          title: 'public',
          content: 'read while Redis is away',
        }),
      );
      boardIds.push(board.id);
      const task = await json(await send('POST', '/tasks', member.tokens.accessToken, { title: 'kept moving' }));
      tasks.push({ id: task.id, version: task.version });
    }

    // Mail waiting in the queue when Redis dies: SMTP refuses it, so the worker holds it for a retry.
    const run = Date.now();
    const queuedTitle = (n: number) => `queued ${run}-${n}`;
    sink.down();
    for (let n = 0; n < QUEUED_MAILS; n += 1) {
      const created = await send('POST', '/tasks', creator.tokens.accessToken, {
        title: queuedTitle(n),
        assigneeId: assignee.id,
      });
      expect(created.status).toBe(201);
    }
    await eventually(async () => (await undispatched(`queued ${run}`)) === 0);

    // Every client: public reads, its own account, changes to its own task, and (needing Redis) sign-ins and
    // refreshes of its own session.
    const refreshTokens = members.map((member) => member.tokens.refreshToken);
    const lastRefresh = members.map(() => 0);
    const step = async (client: LoadClient) => {
      const { index } = client;
      const token = members[index].tokens.accessToken;
      await client.request('GET /boards', `${base}/boards?limit=5`);
      await client.request('GET /boards/:id', `${base}/boards/${boardIds[client.iteration % boardIds.length]}`);
      await client.request('GET /users/me', `${base}/users/me`, { token });
      const task = tasks[index];
      const patched = await client.request('PATCH /tasks/:id', `${base}/tasks/${task.id}`, {
        method: 'PATCH',
        token,
        json: { version: task.version, title: `kept moving ${client.iteration}` },
      });
      if (patched.status === 200) task.version = (patched.body as { version: number }).version;
      if (client.iteration % 4 === index % 4) {
        await client.request('POST /auth/login', `${base}/auth/login`, {
          json: { email: visitor.email, password: visitor.password },
        });
      }
      if (Date.now() - lastRefresh[index] >= 500) {
        lastRefresh[index] = Date.now();
        const rotated = await client.request('POST /auth/refresh', `${base}/auth/refresh`, {
          json: { refreshToken: refreshTokens[index] },
        });
        // A 503 leaves the token as it was: the client keeps it and tries again later.
        if (rotated.status === 200) refreshTokens[index] = (rotated.body as Tokens).refreshToken;
      }
    };

    const watch = new ReadinessWatch([api.url]);
    const load = Load.start(step, { clients: CLIENTS });
    let downAt = 0;
    let upAt = 0;
    const assignedDuringOutage = `assigned during the outage ${run}`;
    try {
      await sleep(1_000);
      // Handed to the queue, not yet delivered: the mail is in Redis alone when it dies.
      expect(sink.messages.filter((m) => m.subject.includes(`queued ${run}`))).toHaveLength(0);
      downAt = Date.now();
      await redis.stop();
      // A task assigned while Redis is away: accepted, its mail kept in the outbox.
      const task = await json(
        await send('POST', '/tasks', creator.tokens.accessToken, { title: assignedDuringOutage }),
      );
      const assigned = await send('PATCH', `/tasks/${task.id}`, creator.tokens.accessToken, {
        version: task.version,
        assigneeId: assignee.id,
      });
      expect(assigned.status).toBe(200);
      // Admin routes fail closed: without the session store a logout could be missed. The same token still reads
      // its own account, which checks the account alone.
      const adminList = await call(api, '/admin/users', admin.accessToken);
      expect(adminList.status).toBe(503);
      expect((await json(adminList)).code).toBe('DEPENDENCY_UNAVAILABLE');
      expect((await call(api, '/users/me', admin.accessToken)).status).toBe(200);
      await sleep(OUTAGE_MS);
      expect(await undispatched(assignedDuringOutage)).toBe(1);
      sink.up();
      await redis.start();
      upAt = Date.now();
      await sleep(RECOVERY_MS + 1_000);
    } finally {
      sink.up();
      await redis.start();
      await load.stop();
      await watch.stop();
    }

    const needsRedis = (s: Sample) => s.name.startsWith('POST /auth/');
    const during = (s: Sample) => s.startedAt >= downAt + 100 && s.endedAt <= upAt;
    const settled = (s: Sample) => s.startedAt >= upAt + RECOVERY_MS;
    report('Redis crash', load.summary(), `${load.samples.filter(during).length} during the ${OUTAGE_MS} ms outage`);
    // Nothing ever answered 500; before the crash and from 5 s after its return, everything succeeded.
    expect(load.statuses()).not.toHaveProperty('500');
    expect(load.failures).toEqual([]);
    expect(load.errors((s) => s.endedAt < downAt)).toEqual({});
    expect(load.errors(settled)).toEqual({});
    expect(load.samples.filter((s) => settled(s) && needsRedis(s)).length).toBeGreaterThan(0);
    // Public reads, the caller's own account and task changes kept working throughout.
    expect(load.errors((s) => !needsRedis(s))).toEqual({});
    expect(load.samples.filter((s) => during(s) && !needsRedis(s)).length).toBeGreaterThanOrEqual(CLIENTS);
    // Sign-in and refresh answered 503 DEPENDENCY_UNAVAILABLE while Redis was away, nothing else.
    const refused = load.samples.filter((s) => during(s) && needsRedis(s));
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused.map((s) => `${s.status} ${s.code}`))).toEqual(new Set(['503 DEPENDENCY_UNAVAILABLE']));
    // Readiness: unavailable while Redis is away, ok again within 5 s of its return.
    expect(watch.timeline(0)).toEqual(['ok 200', 'unavailable 503', 'ok 200']);
    const ready = watch.samples.find((s) => s.at >= upAt && s.status === 'ok');
    expect(ready!.at - upAt).toBeLessThan(RECOVERY_MS);
    const firstSignIn = load.samples.find((s) => s.startedAt >= upAt && needsRedis(s) && s.status === 200);
    expect(firstSignIn!.endedAt - upAt).toBeLessThan(RECOVERY_MS);

    // No session was lost: untouched ones refresh and call in, and the one ended before the crash stays ended.
    for (const member of kept) {
      expect((await call(api, '/users/me', member.tokens.accessToken)).status).toBe(200);
      expect((await refresh(api, member.tokens.refreshToken)).status).toBe(200);
    }
    expect((await call(api, '/users/me', ended.tokens.accessToken)).status).toBe(401);
    expect((await call(api, '/admin/users', admin.accessToken)).status).toBe(200);
    expect((await refresh(api, ended.tokens.refreshToken)).status).toBe(401);
    // Every client's session, rotated through the outage, still refreshes.
    for (const token of refreshTokens) expect((await refresh(api, token)).status).toBe(200);
    expect((await post(api, '/auth/login', { email: visitor.email, password: visitor.password })).status).toBe(200);

    // No mail was lost or sent twice: the queued ones and the one from the outbox arrive once each.
    const subjects = [...Array.from({ length: QUEUED_MAILS }, (_, n) => queuedTitle(n)), assignedDuringOutage];
    const mailed = () => subjects.map((subject) => sink.messages.filter((m) => m.subject.includes(subject)).length);
    await eventually(() => Promise.resolve(mailed().every((count) => count >= 1)), 20_000);
    await sleep(1_500);
    expect(mailed()).toEqual(subjects.map(() => 1));
    expect(sink.to(assignee.email)).toHaveLength(subjects.length);
  }, 90_000);
});
