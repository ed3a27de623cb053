import { Role } from '@app/core';
import { createTestDatabase, query, SmtpSink, type TestDatabase } from '@app/testing';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, login, type TestUser } from './support/auth.js';
import { eventually, json } from './support/http.js';
import { startWorker, testWorkerEnv, type TestWorker } from './support/worker.js';

describe('tasks', () => {
  let database: TestDatabase;
  let api: TestApi;
  const people: Record<'creator' | 'assignee' | 'other' | 'admin', { user: TestUser; token: string }> = {} as never;

  let sink: SmtpSink;
  let worker: TestWorker;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    worker = await startWorker(testWorkerEnv(database, { SMTP_URL: sink.url }));
    api = await startApi(testApiEnv(database));
    for (const [name, role] of [
      ['creator', Role.User],
      ['assignee', Role.User],
      ['other', Role.User],
      ['admin', Role.Admin],
    ] as const) {
      const user = await createUser(api, { role });
      people[name] = { user, token: (await login(api, user)).accessToken };
    }
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await sink?.stop();
  });

  const send = (method: string, path: string, token: string, body?: unknown) =>
    call(api, path, token, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const createTask = async (body: Record<string, unknown> = {}) => {
    const response = await send('POST', '/tasks', people.creator.token, { title: 'Write the release notes', ...body });
    expect(response.status).toBe(201);
    return json(response);
  };

  it('creates a task with its assignee, due date and version 1, and logs the creation', async () => {
    const task = await createTask({
      assigneeId: people.assignee.user.id,
      dueAt: '2026-12-01T09:00:00+09:00',
      description: 'v1.2',
    });
    expect(task).toMatchObject({
      title: 'Write the release notes',
      description: 'v1.2',
      status: 'TODO',
      creator: { id: people.creator.user.id },
      assignee: { id: people.assignee.user.id },
      dueAt: '2026-12-01T00:00:00.000Z',
      version: 1,
    });
    const events = await json(await send('GET', `/tasks/${task.id}/events`, people.other.token));
    expect(events).toEqual([
      expect.objectContaining({
        type: 'CREATED',
        actor: { id: people.creator.user.id, nickname: expect.any(String) },
        changes: expect.objectContaining({ title: { old: null, new: 'Write the release notes' } }),
      }),
    ]);
  });

  it('refuses an assignee that does not exist or is banned', async () => {
    const missing = await send('POST', '/tasks', people.creator.token, {
      title: 't',
      assigneeId: '6f1c0a0e-8a43-4d43-9c55-8f9d5b0b3f2e',
    });
    expect(missing.status).toBe(400);
    expect((await json(missing)).errors[0].field).toBe('assigneeId');
    const banned = await createUser(api);
    await send('POST', `/admin/users/${banned.id}/ban`, people.admin.token);
    expect((await send('POST', '/tasks', people.creator.token, { title: 't', assigneeId: banned.id })).status).toBe(
      400,
    );
  });

  it('lets the creator, the assignee and an admin change it, logging old and new values; not others', async () => {
    const task = await createTask({ assigneeId: people.assignee.user.id });
    const moved = await send('PATCH', `/tasks/${task.id}`, people.assignee.token, {
      version: 1,
      status: 'IN_PROGRESS',
    });
    expect(moved.status).toBe(200);
    expect(await json(moved)).toMatchObject({ status: 'IN_PROGRESS', version: 2 });
    const renamed = await send('PATCH', `/tasks/${task.id}`, people.admin.token, {
      version: 2,
      title: 'Renamed',
      assigneeId: null,
    });
    expect(await json(renamed)).toMatchObject({ title: 'Renamed', assignee: null, version: 3 });
    const reassigned = await send('PATCH', `/tasks/${task.id}`, people.creator.token, {
      version: 3,
      assigneeId: people.other.user.id,
    });
    expect((await json(reassigned)).assignee.id).toBe(people.other.user.id);
    expect((await send('PATCH', `/tasks/${task.id}`, people.assignee.token, { version: 4, title: 'x' })).status).toBe(
      403,
    );

    const events = await json(await send('GET', `/tasks/${task.id}/events`, people.creator.token));
    expect(events.map((event: { type: string }) => event.type)).toEqual([
      'CREATED',
      'STATUS_CHANGED',
      'UPDATED',
      'ASSIGNED',
    ]);
    expect(events[1].changes).toEqual({ status: { old: 'TODO', new: 'IN_PROGRESS' } });
    expect(events[2].changes).toEqual({
      title: { old: 'Write the release notes', new: 'Renamed' },
      assigneeId: { old: people.assignee.user.id, new: null },
    });
  });

  it('answers 409 VERSION_CONFLICT to a stale version and changes nothing', async () => {
    const task = await createTask();
    await send('PATCH', `/tasks/${task.id}`, people.creator.token, { version: 1, title: 'first' });
    const stale = await send('PATCH', `/tasks/${task.id}`, people.creator.token, { version: 1, title: 'second' });
    expect(stale.status).toBe(409);
    expect((await json(stale)).code).toBe('VERSION_CONFLICT');
    expect((await json(await send('GET', `/tasks/${task.id}`, people.creator.token))).title).toBe('first');
    expect((await send('PATCH', `/tasks/${task.id}`, people.creator.token, { title: 'no version' })).status).toBe(400);
  });

  it('lets exactly one of two concurrent changes with the same version win', async () => {
    const task = await createTask();
    const [a, b] = await Promise.all([
      send('PATCH', `/tasks/${task.id}`, people.creator.token, { version: 1, title: 'from a' }),
      send('PATCH', `/tasks/${task.id}`, people.creator.token, { version: 1, title: 'from b' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const rows = await query<{ version: number }>(database.primaryUrl, 'SELECT version FROM tasks WHERE id = $1', [
      task.id,
    ]);
    expect(rows[0].version).toBe(2);
    const events = await json(await send('GET', `/tasks/${task.id}/events`, people.creator.token));
    expect(events).toHaveLength(2);
  });

  it('filters by status and by me as assignee or creator', async () => {
    const mine = await createTask({ title: 'for the assignee', assigneeId: people.assignee.user.id });
    const assigned = await json(await send('GET', '/tasks?assigneeId=me&perPage=100', people.assignee.token));
    expect(assigned.items.map((t: { id: string }) => t.id)).toContain(mine.id);
    expect(assigned.items.every((t: { assignee: { id: string } }) => t.assignee.id === people.assignee.user.id)).toBe(
      true,
    );
    const created = await json(await send('GET', '/tasks?creatorId=me&status=TODO&perPage=100', people.creator.token));
    expect(
      created.items.every(
        (t: { creator: { id: string }; status: string }) =>
          t.creator.id === people.creator.user.id && t.status === 'TODO',
      ),
    ).toBe(true);
    expect((await send('GET', '/tasks?assigneeId=someone', people.creator.token)).status).toBe(400);
    expect((await call(api, '/tasks')).status).toBe(401);
  });

  it('deletes softly for the creator or an admin only', async () => {
    const task = await createTask({ assigneeId: people.assignee.user.id });
    expect((await send('DELETE', `/tasks/${task.id}`, people.assignee.token)).status).toBe(403);
    expect((await send('DELETE', `/tasks/${task.id}`, people.creator.token)).status).toBe(204);
    expect((await send('GET', `/tasks/${task.id}`, people.creator.token)).status).toBe(404);
    const rows = await query(database.primaryUrl, 'SELECT 1 FROM tasks WHERE id = $1 AND deleted_at IS NOT NULL', [
      task.id,
    ]);
    expect(rows).toHaveLength(1);
  });

  it('logs the creation with every field, description and due date changes, and the deletion', async () => {
    const task = await createTask({ description: 'first draft' });
    const patch = (body: Record<string, unknown>) => send('PATCH', `/tasks/${task.id}`, people.creator.token, body);
    expect((await patch({ version: 1, description: 'second draft', dueAt: '2027-01-05T10:00:00Z' })).status).toBe(200);
    expect((await patch({ version: 2, dueAt: null })).status).toBe(200);
    const events = await json(await send('GET', `/tasks/${task.id}/events`, people.creator.token));
    expect(events[0].changes).toMatchObject({
      title: { old: null, new: 'Write the release notes' },
      description: { old: null, new: 'first draft' },
      status: { old: null, new: 'TODO' },
      assigneeId: { old: null, new: null },
      dueAt: { old: null, new: null },
    });
    expect(events[1]).toMatchObject({
      type: 'UPDATED',
      changes: {
        description: { old: 'first draft', new: 'second draft' },
        dueAt: { old: null, new: '2027-01-05T10:00:00.000Z' },
      },
    });
    expect(events[2].changes).toEqual({ dueAt: { old: '2027-01-05T10:00:00.000Z', new: null } });

    expect((await send('DELETE', `/tasks/${task.id}`, people.admin.token)).status).toBe(204);
    const logged = await query<{ type: string; actor_id: string }>(
      database.primaryUrl,
      'SELECT type, actor_id FROM task_events WHERE task_id = $1 ORDER BY created_at, id',
      [task.id],
    );
    expect(logged.at(-1)).toEqual({ type: 'DELETED', actor_id: people.admin.user.id });
    // Once deleted, the task and everything about it answers 404.
    expect((await patch({ version: 3, title: 'late' })).status).toBe(404);
    expect((await send('DELETE', `/tasks/${task.id}`, people.creator.token)).status).toBe(404);
    expect((await send('GET', `/tasks/${task.id}/events`, people.creator.token)).status).toBe(404);
  });

  it.each([
    ['a null title', { title: null }, 'title'],
    ['a null status', { status: null }, 'status'],
    ['a null description', { description: null }, 'description'],
    ['an unknown status', { status: 'BLOCKED' }, 'status'],
    ['an impossible due date', { dueAt: '2026-13-45T25:61Z' }, 'dueAt'],
    ['a 30 February', { dueAt: '2026-02-30T10:00:00Z' }, 'dueAt'],
    ['a due date without a time zone', { dueAt: '2026-12-01T10:00:00' }, 'dueAt'],
    ['a version as a string', { version: '1', title: 'x' }, 'version'],
    ['nothing to change', {}, 'title,description,status,assigneeId,dueAt'],
  ])('refuses a change with %s (400, nothing changed)', async (_what, body, field) => {
    const task = await createTask();
    const response = await send('PATCH', `/tasks/${task.id}`, people.creator.token, { version: 1, ...body });
    expect(response.status).toBe(400);
    const problem = await json(response);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors[0].field).toBe(field);
    const rows = await query(database.primaryUrl, 'SELECT version FROM tasks WHERE id = $1', [task.id]);
    expect(rows).toEqual([{ version: 1 }]);
  });

  it('refuses an impossible due date on create, and a task id that is not a UUID', async () => {
    const response = await send('POST', '/tasks', people.creator.token, { title: 't', dueAt: '2026-02-30T10:00:00Z' });
    expect(response.status).toBe(400);
    expect((await json(response)).errors[0].field).toBe('dueAt');
    const notAnId = await send('GET', '/tasks/not-a-uuid', people.creator.token);
    expect(notAnId.status).toBe(400);
    expect(await json(notAnId)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'id' }] });
  });

  it('lists by numbered page with its meta, or by keyset cursor, newest or oldest first', async () => {
    const creator = await createUser(api);
    const token = (await login(api, creator)).accessToken;
    const titles = ['one', 'two', 'three', 'four', 'five'];
    for (const title of titles) {
      expect((await send('POST', '/tasks', token, { title })).status).toBe(201);
    }
    const numbered = await json(await send('GET', '/tasks?creatorId=me&page=2&perPage=2', token));
    expect(numbered.meta).toEqual({ page: 2, perPage: 2, total: 5, totalPages: 3, hasNext: true });
    expect(numbered.items.map((task: { title: string }) => task.title)).toEqual(['three', 'two']);

    const seen: string[] = [];
    const pageAfter = (cursor: string | null) =>
      send('GET', `/tasks?creatorId=me&sort=createdAt&limit=2${cursor ? `&cursor=${cursor}` : ''}`, token);
    let cursor: string | null = null;
    do {
      const page: { items: { title: string }[]; meta: { limit: number; nextCursor: string | null } } = await json(
        await pageAfter(cursor),
      );
      expect(page.meta.limit).toBe(2);
      seen.push(...page.items.map((task) => task.title));
      cursor = page.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual(titles);

    expect((await send('GET', '/tasks?perPage=101', token)).status).toBe(400);
    expect((await send('GET', '/tasks?page=1&limit=5', token)).status).toBe(400);
    expect((await send('GET', '/tasks?cursor=bm90LWEtY3Vyc29y', token)).status).toBe(400);
  });

  it('replays a create retried with the same Idempotency-Key, and refuses the key with another body', async () => {
    const key = `task-${Date.now()}`;
    const create = (title: string) =>
      call(api, '/tasks', people.creator.token, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ title }),
      });
    const first = await create('idempotent task');
    expect(first.status).toBe(201);
    const retry = await create('idempotent task');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await json(retry)).id).toBe((await json(first)).id);
    expect((await create('another task')).status).toBe(422);
    const rows = await query(database.primaryUrl, "SELECT 1 FROM tasks WHERE title = 'idempotent task'");
    expect(rows).toHaveLength(1);
  });

  describe('mail', () => {
    const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

    it('mails the assignee when a task is assigned to them, never the person who did it', async () => {
      const task = await createTask({ title: `assign ${Date.now()}`, assigneeId: people.assignee.user.id });
      const mail = await sink.waitFor((m) => m.subject.includes(task.title));
      expect(mail.to).toEqual([people.assignee.user.email]);
      expect(mail.subject).toContain('assigned to you');
      await settle();
      expect(sink.messages.filter((m) => m.subject.includes(task.title))).toHaveLength(1);
    });

    it('mails the creator and the assignee what changed (old -> new), except whoever changed it', async () => {
      const task = await createTask({ title: `status ${Date.now()}`, assigneeId: people.assignee.user.id });
      await sink.waitFor((m) => m.subject.includes(task.title));
      sink.clear();
      await send('PATCH', `/tasks/${task.id}`, people.assignee.token, { version: 1, status: 'DONE' });
      const mail = await sink.waitFor((m) => m.subject.includes(task.title));
      expect(mail.to).toEqual([people.creator.user.email]);
      expect(mail.text).toContain('status: TODO -> DONE');
      await send('PATCH', `/tasks/${task.id}`, people.admin.token, { version: 2, title: `${task.title} v2` });
      const about = () => sink.messages.filter((m) => m.subject.includes(task.title));
      await eventually(() => Promise.resolve(about().length >= 3));
      const recipients = about()
        .map((m) => m.to[0])
        .sort();
      expect(recipients).toEqual(
        [people.assignee.user.email, people.creator.user.email, people.creator.user.email].sort(),
      );
      expect(sink.to(people.admin.user.email)).toHaveLength(0);
    });

    it('records each mail in the outbox, sealed, dispatches it once, and empties the row', async () => {
      const [{ now: since }] = await query<{ now: Date }>(database.primaryUrl, 'SELECT clock_timestamp() AS now');
      const task = await createTask({ title: `outbox ${Date.now()}`, assigneeId: people.assignee.user.id });
      await sink.waitFor((m) => m.subject.includes(task.title));
      const rows = await query<{ dispatched_at: Date | null; payload: unknown }>(
        database.primaryUrl,
        "SELECT dispatched_at, payload FROM outbox WHERE kind = 'mail' AND created_at >= $1",
        [since],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toEqual({ dispatched_at: expect.any(Date), payload: {} });
      expect(sink.messages.filter((m) => m.subject.includes(task.title))).toHaveLength(1);
    });
  });
});
