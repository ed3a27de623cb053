import { createTestDatabase, query, RedisServer, SmtpSink, type TestDatabase } from '@app/testing';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, login, type TestUser } from './support/auth.js';
import { eventually, json } from './support/http.js';
import { pendingMail } from './support/outbox.js';
import { OutboxDispatcher } from '../apps/api/src/outbox/outbox.dispatcher.js';
import { startWorker, testWorkerEnv, type TestWorker } from './support/worker.js';

// The api and the worker share a Redis of their own, which these tests take away and bring back.
describe('task mail through Redis and SMTP outages', () => {
  let database: TestDatabase;
  let redis: RedisServer;
  let sink: SmtpSink;
  let worker: TestWorker;
  let api: TestApi;
  const people: Record<'creator' | 'assignee', { user: TestUser; token: string }> = {} as never;

  beforeAll(async () => {
    database = await createTestDatabase();
    redis = await RedisServer.start();
    sink = await SmtpSink.start();
    worker = await startWorker(testWorkerEnv(database, { SMTP_URL: sink.url, REDIS_URL: redis.url }));
    api = await startApi({ ...testApiEnv(database), REDIS_URL: redis.url });
    for (const name of ['creator', 'assignee'] as const) {
      const user = await createUser(api);
      people[name] = { user, token: (await login(api, user)).accessToken };
    }
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await sink?.stop();
    await redis?.stop();
  });

  const send = (method: string, path: string, token: string, body: unknown) =>
    call(api, path, token, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const mailsAbout = (title: string) => sink.messages.filter((m) => m.subject.includes(title));
  const pendingOutbox = (title: string) => pendingMail(database, api.config.mailSealKey, title);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));
  const outboxAge = async () => (await api.app.get(OutboxDispatcher).metrics()).OutboxOldestAgeSeconds as number;

  it('accepts task changes while Redis is down and mails them once Redis is back, each once', async () => {
    const title = `redis outage ${Date.now()}`;
    await redis.stop();
    try {
      const created = await send('POST', '/tasks', people.creator.token, { title });
      expect(created.status).toBe(201);
      const task = await json(created);
      const assigned = await send('PATCH', `/tasks/${task.id}`, people.creator.token, {
        version: task.version,
        assigneeId: people.assignee.user.id,
      });
      expect(assigned.status).toBe(200);
      const moved = await send('PATCH', `/tasks/${task.id}`, people.assignee.token, {
        version: task.version + 1,
        status: 'IN_PROGRESS',
      });
      expect(moved.status).toBe(200);
      // A create that asks for idempotency cannot have it checked: 503, to retry with the same key, and no task.
      const keyed = await call(api, '/tasks', people.creator.token, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `outage-${Date.now()}` },
        body: JSON.stringify({ title: `${title} keyed` }),
      });
      expect(keyed.status).toBe(503);
      expect(keyed.headers.get('retry-after')).not.toBeNull();
      expect((await json(keyed)).code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(await query(database.primaryUrl, 'SELECT 1 FROM tasks WHERE title = $1', [`${title} keyed`])).toEqual([]);
      // Both changes are logged and their mail waits in the outbox.
      const events = await query(database.primaryUrl, 'SELECT type FROM task_events WHERE task_id = $1', [task.id]);
      expect(events).toHaveLength(3);
      await settle();
      expect(await pendingOutbox(title)).toBe(2);
      expect(mailsAbout(title)).toHaveLength(0);
      // The oldest waiting row's age is what the outbox alarm watches.
      await settle();
      expect(await outboxAge()).toBeGreaterThanOrEqual(2);
    } finally {
      await redis.start();
    }

    await eventually(() => Promise.resolve(mailsAbout(title).length >= 2), 20_000);
    await eventually(async () => (await pendingOutbox(title)) === 0);
    expect(await outboxAge()).toBe(0);
    await settle();
    const mails = mailsAbout(title);
    expect(mails.map((m) => m.to)).toEqual(
      expect.arrayContaining([[people.assignee.user.email], [people.creator.user.email]]),
    );
    expect(mails).toHaveLength(2);
    expect(mails.find((m) => m.to[0] === people.creator.user.email)?.text).toContain('status: TODO -> IN_PROGRESS');
  });

  it('accepts a task change while SMTP refuses mail and delivers it once SMTP is back, once', async () => {
    const title = `smtp outage ${Date.now()}`;
    // The restarted Redis came back empty, sessions included: sign in again.
    const token = (await login(api, people.creator.user)).accessToken;
    sink.down();
    try {
      const created = await send('POST', '/tasks', token, {
        title,
        assigneeId: people.assignee.user.id,
      });
      expect(created.status).toBe(201);
      // Handed to the queue (the outbox row is dispatched), but not delivered while SMTP refuses.
      await eventually(async () => (await pendingOutbox(title)) === 0);
      await settle();
      expect(mailsAbout(title)).toHaveLength(0);
    } finally {
      sink.up();
    }
    const mail = await sink.waitFor((m) => m.subject.includes(title), 20_000);
    expect(mail.to).toEqual([people.assignee.user.email]);
    await settle();
    expect(mailsAbout(title)).toHaveLength(1);
  });
});
