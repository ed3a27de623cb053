import { Role } from '@app/core';
import { createTestDatabase, query, type TestDatabase } from '@app/testing';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, login } from './support/auth.js';
import { eventually, json } from './support/http.js';
import { Client } from 'pg';

describe('boards', () => {
  let database: TestDatabase;
  let api: TestApi;
  let alice: string;
  let bob: string;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testApiEnv(database));
    [alice, bob, admin] = await Promise.all(
      [Role.User, Role.User, Role.Admin].map(
        async (role) => (await login(api, await createUser(api, { role }))).accessToken,
      ),
    );
  });

  afterAll(async () => {
    await api?.close();
  });

  const write = (method: string, path: string, token: string | undefined, body?: unknown) =>
    call(api, path, token, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const createBoard = async (token: string, title = 'A title', content = 'Some content') => {
    const response = await write('POST', '/boards', token, { title, content });
    expect(response.status).toBe(201);
    return json(response);
  };

  it('lets a member post and anyone read, with the author', async () => {
    const board = await createBoard(alice, '  이번 주 회의록  ', '월요일 10시');
    expect(board).toMatchObject({
      title: '이번 주 회의록',
      content: '월요일 10시',
      author: { id: expect.any(String), nickname: expect.any(String) },
    });
    // Anyone reads it, as soon as the replica that serves anonymous reads has replayed it (milliseconds).
    let read!: Response;
    await eventually(async () => (read = await call(api, `/boards/${board.id}`)).status === 200);
    expect(await json(read)).toEqual(board);
    expect((await write('POST', '/boards', undefined, { title: 't', content: 'c' })).status).toBe(401);
  });

  it.each([
    ['an empty title', { title: '', content: 'c' }, 'title'],
    ['a 201-character title', { title: 'x'.repeat(201), content: 'c' }, 'title'],
    ['20 001 characters of content', { title: 't', content: 'x'.repeat(20_001) }, 'content'],
    ['blank content', { title: 't', content: '   ' }, 'content'],
    ['a null title', { title: null, content: 'c' }, 'title'],
    [
      'an author chosen by the client',
      { title: 't', content: 'c', authorId: '6f1c0a0e-8a43-4d43-9c55-8f9d5b0b3f2e' },
      'authorId',
    ],
  ])('refuses %s, naming the field', async (_name, body, field) => {
    const response = await write('POST', '/boards', alice, body);
    expect(response.status).toBe(400);
    expect((await json(response)).errors[0].field).toBe(field);
  });

  it.each([
    ['a null title', { title: null }, 'title'],
    ['a null content', { content: null }, 'content'],
    ['blank content', { content: ' \n\t ' }, 'content'],
    ['nothing to change', {}, 'title,content'],
  ])('refuses an edit with %s, and changes nothing', async (_name, body, field) => {
    const board = await createBoard(alice);
    const response = await write('PATCH', `/boards/${board.id}`, alice, body);
    expect(response.status).toBe(400);
    expect((await json(response)).errors[0].field).toBe(field);
    expect(await json(await call(api, `/boards/${board.id}`, alice))).toEqual(board);
  });

  it('answers 400 VALIDATION_FAILED naming the id for an id that is not a UUID', async () => {
    const response = await call(api, '/boards/not-a-uuid');
    expect(response.status).toBe(400);
    expect(await json(response)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'id' }] });
  });

  it('lets only the author edit', async () => {
    const board = await createBoard(alice);
    const edited = await write('PATCH', `/boards/${board.id}`, alice, { title: 'Edited' });
    expect(edited.status).toBe(200);
    expect(await json(edited)).toMatchObject({ title: 'Edited', content: board.content });
    for (const other of [bob, admin]) {
      const response = await write('PATCH', `/boards/${board.id}`, other, { title: 'Hijacked' });
      expect(response.status).toBe(403);
    }
    expect((await json(await call(api, `/boards/${board.id}`))).title).toBe('Edited');
  });

  it('deletes softly for the author or an admin: 404 and out of the list, the row stays', async () => {
    const mine = await createBoard(alice);
    const moderated = await createBoard(alice);
    expect((await write('DELETE', `/boards/${mine.id}`, bob)).status).toBe(403);
    expect((await write('DELETE', `/boards/${mine.id}`, alice)).status).toBe(204);
    expect((await write('DELETE', `/boards/${moderated.id}`, admin)).status).toBe(204);
    for (const id of [mine.id, moderated.id]) {
      expect((await call(api, `/boards/${id}`)).status).toBe(404);
      expect((await write('PATCH', `/boards/${id}`, alice, { title: 'x' })).status).toBe(404);
    }
    const listed = await json(await call(api, '/boards?perPage=100'));
    expect(listed.items.map((b: { id: string }) => b.id)).not.toContain(mine.id);
    const rows = await query<{ deleted_at: Date | null }>(
      database.primaryUrl,
      'SELECT deleted_at FROM boards WHERE id = $1',
      [mine.id],
    );
    expect(rows[0].deleted_at).toBeInstanceOf(Date);
  });

  it('pages by number with a total, newest first, and filters by author', async () => {
    const author = (await login(api, await createUser(api))).accessToken;
    const created = [];
    for (let i = 0; i < 5; i += 1) created.push(await createBoard(author, `p${i}`));
    const authorId = created[0].author.id;
    // The author reads its own writes; an anonymous reader could be served by a replica that has not replayed them.
    const page = await json(await call(api, `/boards?authorId=${authorId}&page=2&perPage=2`, author));
    expect(page.meta).toEqual({ page: 2, perPage: 2, total: 5, totalPages: 3, hasNext: true });
    expect(page.items.map((b: { title: string }) => b.title)).toEqual(['p2', 'p1']);
    const oldest = await json(await call(api, `/boards?authorId=${authorId}&perPage=1&sort=createdAt`, author));
    expect(oldest.items[0].title).toBe('p0');
  });

  it('pages by keyset cursor without gaps or duplicates while boards are added', async () => {
    const author = (await login(api, await createUser(api))).accessToken;
    const original: string[] = [];
    for (let i = 0; i < 12; i += 1) original.push((await createBoard(author, `k${i}`)).id);
    // Read as the author, who reads their own writes (an anonymous read could reach a replica a moment behind).
    const authorId: string = (await json(await call(api, `/boards/${original[0]}`, author))).author.id;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const search: URLSearchParams = new URLSearchParams({
        authorId,
        limit: '5',
        ...(cursor === null ? {} : { cursor }),
      });
      const page: { items: { id: string }[]; meta: { limit: number; nextCursor: string | null } } = await json(
        await call(api, `/boards?${search.toString()}`, author),
      );
      expect(page.meta.limit).toBe(5);
      seen.push(...page.items.map((b) => b.id));
      cursor = page.meta.nextCursor;
      // New boards arrive between pages: they are newer than the cursor, so they never shift the pages after it.
      await createBoard(author, `late${pages}`);
      pages += 1;
    } while (cursor);
    expect(seen).toEqual([...original].reverse());
    expect(pages).toBe(3);
  });

  it('refuses mixing the two modes and a forged cursor', async () => {
    const both = await call(api, '/boards?page=1&limit=5');
    expect(both.status).toBe(400);
    const forged = await call(api, `/boards?cursor=${Buffer.from('["yesterday","x"]').toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect((await json(forged)).errors[0].field).toBe('cursor');
    expect((await call(api, '/boards?perPage=101')).status).toBe(400);
    expect((await call(api, '/boards/not-a-uuid')).status).toBe(400);
  });

  describe('with an Idempotency-Key', () => {
    const postWithKey = (token: string, key: string, body: unknown) =>
      call(api, '/boards', token, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    const waitingInserts = async () =>
      (
        await query(
          database.primaryUrl,
          "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"boards\"%'",
        )
      ).length;
    const count = async (title: string) =>
      (await query(database.primaryUrl, 'SELECT 1 FROM boards WHERE title = $1', [title])).length;

    it('creates once and replays the first answer for a retry', async () => {
      const key = `retry-${Date.now()}`;
      const first = await postWithKey(alice, key, { title: 'once only', content: 'flaky network' });
      const again = await postWithKey(alice, key, { title: 'once only', content: 'flaky network' });
      expect([first.status, again.status]).toEqual([201, 201]);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await json(again)).toEqual(await json(first));
      expect(await count('once only')).toBe(1);
    });

    it('answers 422 for the same key with another payload, and changes nothing', async () => {
      const key = `payload-${Date.now()}`;
      await postWithKey(alice, key, { title: 'first payload', content: 'x' });
      const other = await postWithKey(alice, key, { title: 'second payload', content: 'x' });
      expect(other.status).toBe(422);
      expect((await json(other)).code).toBe('UNPROCESSABLE_ENTITY');
      expect(await count('second payload')).toBe(0);
    });

    it('keeps keys apart per user, lets a failed first request be retried, and refuses a malformed key', async () => {
      const key = `shared-${Date.now()}`;
      expect((await postWithKey(alice, key, { title: 'alice', content: 'x' })).status).toBe(201);
      expect((await postWithKey(bob, key, { title: 'bob', content: 'x' })).status).toBe(201);
      const invalid = `invalid-${Date.now()}`;
      expect((await postWithKey(alice, invalid, { title: '', content: 'x' })).status).toBe(400);
      expect((await postWithKey(alice, invalid, { title: 'fixed', content: 'x' })).status).toBe(201);
      expect((await postWithKey(alice, 'has space', { title: 't', content: 'x' })).status).toBe(400);
    });

    it('answers 409 to a retry while the first request is still running', async () => {
      const key = `concurrent-${Date.now()}`;
      const writer = await createUser(api);
      const token = (await login(api, writer)).accessToken;
      // Holding the author's row keeps the first insert waiting on its foreign key check: it stays in flight.
      const holder = new Client({ connectionString: database.primaryUrl });
      await holder.connect();
      let first: Promise<Response> | undefined;
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [writer.id]);
        first = postWithKey(token, key, { title: 'concurrent', content: 'x' });
        await eventually(async () => (await count('concurrent')) === 0 && (await waitingInserts()) > 0);
        const retry = await postWithKey(token, key, { title: 'concurrent', content: 'x' });
        expect(retry.status).toBe(409);
        expect(retry.headers.get('retry-after')).toBe('1');
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      }
      expect((await first).status).toBe(201);
      expect(await count('concurrent')).toBe(1);
    });
  });
});
