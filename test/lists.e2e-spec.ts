import { createTestDatabase, type TestDatabase } from '@app/testing';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, login } from './support/auth.js';
import { fixtures } from './support/fixtures.js';
import { json } from './support/http.js';

interface NumberedPage {
  items: { id: string; title: string }[];
  meta: { page: number; perPage: number; total: number | null; totalPages: number | null; hasNext: boolean };
}

describe('bounded numbered pages', () => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A count is shared for a minute here, so that what the cache serves is told apart from what the table holds.
    api = await startApi(testApiEnv(database, { DATABASE_COUNT_CACHE_MS: '60000' }));
  });

  afterAll(async () => {
    await api?.close();
  });

  /** `count` boards by `authorId`, a second apart (newest last), once the replica has them. */
  const seedBoards = async (authorId: string, count: number, label = 'seeded') => {
    const now = Date.now();
    await fixtures(database).boards.createMany(count, (index) => ({
      authorId,
      title: `${label} ${index + 1}`,
      content: 'content',
      createdAt: new Date(now - (count - 1 - index) * 1_000),
    }));
  };
  const page = async (search: string, token?: string) => {
    const response = await call(api, `/boards?${search}`, token);
    expect(response.status).toBe(200);
    return json<NumberedPage>(response);
  };

  it('counts exactly up to 10 000 matching rows, and the last page knows its total without counting', async () => {
    const author = await createUser(api);
    await seedBoards(author.id, 10_000);
    expect((await page(`authorId=${author.id}`)).meta).toEqual({
      page: 1,
      perPage: 20,
      total: 10_000,
      totalPages: 500,
      hasNext: true,
    });
    const last = await page(`authorId=${author.id}&page=500`);
    expect(last.meta).toEqual({ page: 500, perPage: 20, total: 10_000, totalPages: 500, hasNext: false });
    expect(last.items.map((board) => board.title)).toEqual(Array.from({ length: 20 }, (_, i) => `seeded ${20 - i}`));
  });

  it('says null for the total beyond 10 000 rows, still tells whether a next page exists, and reaches row 10 000', async () => {
    const author = await createUser(api);
    await seedBoards(author.id, 10_001);
    expect((await page(`authorId=${author.id}&perPage=5`)).meta).toEqual({
      page: 1,
      perPage: 5,
      total: null,
      totalPages: null,
      hasNext: true,
    });
    // Page 500 of 20 starts at row 9 981 and page 100 of 100 at row 9 901: the deepest pages still served.
    const deepest = await page(`authorId=${author.id}&page=500&perPage=20`);
    expect(deepest.meta).toMatchObject({ total: null, totalPages: null, hasNext: true });
    expect(deepest.items[0].title).toBe(`seeded ${10_001 - 9_980}`);
    const wide = await page(`authorId=${author.id}&page=100&perPage=100`);
    expect(wide.items).toHaveLength(100);
    expect(wide.items.at(-1)!.title).toBe(`seeded ${10_001 - 9_999}`);
  });

  it.each([
    ['page 501 of 20 (row 10 001)', 'page=501&perPage=20'],
    ['page 101 of 100', 'page=101&perPage=100'],
    ['page 10 001 of 1', 'page=10001&perPage=1'],
    ['a page far past the end', 'page=99999999'],
  ])('refuses %s with 400 PAGE_TOO_DEEP that points to cursor mode', async (_name, search) => {
    const response = await call(api, `/boards?${search}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(response);
    expect(problem).toMatchObject({ code: 'PAGE_TOO_DEEP', errors: [{ field: 'page' }] });
    expect(problem.detail).toMatch(/cursor/);
  });

  it('answers an empty page past the end with the true total', async () => {
    const author = await createUser(api);
    await seedBoards(author.id, 3);
    expect((await page(`authorId=${author.id}&page=4&perPage=1`)).meta).toEqual({
      page: 4,
      perPage: 1,
      total: 3,
      totalPages: 3,
      hasNext: false,
    });
  });

  it('shares a count between readers for its window, while a writer counts its own rows at once', async () => {
    const writer = await createUser(api);
    const token = (await login(api, writer)).accessToken;
    await seedBoards(writer.id, 30);
    const search = `authorId=${writer.id}&perPage=10`;
    expect((await page(search)).meta.total).toBe(30);

    // Rows written elsewhere: a reader gets the shared count (items are always read afresh), not a count of its own.
    await seedBoards(writer.id, 5, 'later');
    const reader = await page(search);
    expect(reader.items[0].title).toBe('later 5');
    expect(reader.meta.total).toBe(30);

    // The writer's own board: its next page counts afresh and sees it, and that count is shared from then on.
    const created = await call(api, '/boards', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'mine', content: 'counted at once' }),
    });
    expect(created.status).toBe(201);
    const own = await page(search, token);
    expect(own.items[0].title).toBe('mine');
    expect(own.meta).toMatchObject({ total: 36, totalPages: 4 });
    expect((await page(search)).meta.total).toBe(36);
  });
});
