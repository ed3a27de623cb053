import { Role } from '@app/core';
import { TaskStatus } from '@app/database';
import { createTestDatabase, FIXTURE_PASSWORD, query, type TestDatabase } from '@app/testing';
import { UsersService } from '@api/users';
import { randomUUID } from 'node:crypto';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, login, post } from './support/auth.js';
import { fixtures, hashPassword, type Fixtures } from './support/fixtures.js';
import { json } from './support/http.js';

// The factories write beside the api, straight into its database: what they make must be what the api would have made,
// and readable through it at once, wherever it routes the read.
describe('test factories', () => {
  let database: TestDatabase;
  let api: TestApi;
  let made: Fixtures;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testApiEnv(database));
    made = fixtures(database);
  });

  afterAll(async () => {
    await api?.close();
  });

  /** A user's columns, with what differs between any two users (ids, addresses, times) reduced to whether it is set. */
  const shapeOf = async (id: string) => {
    const [{ row }] = await query<{ row: Record<string, unknown> }>(
      database.primaryUrl,
      'SELECT to_jsonb(u) AS row FROM users u WHERE id = $1',
      [id],
    );
    const varying = ['id', 'email', 'password_hash', 'kakao_id', 'email_verified_at', 'created_at', 'updated_at'];
    return Object.fromEntries(
      Object.entries(row).map(([column, value]) => [column, varying.includes(column) ? value !== null : value]),
    );
  };

  const kakaoId = () => String(4_000_000_000 + Math.floor(Math.random() * 1_000_000_000));

  it("writes a user as the users context's create does from the same fields", async () => {
    const fields = { role: Role.Admin, nickname: 'same-fields' };
    const byFactory = await made.users.create({ ...fields, kakaoId: kakaoId() });
    const byService = await api.app.get(UsersService).create({
      ...fields,
      email: `service-${randomUUID().slice(0, 8)}@example.com`,
      passwordHash: await hashPassword(FIXTURE_PASSWORD),
      emailVerifiedAt: new Date(),
      kakaoId: kakaoId(),
    });

    const shape = await shapeOf(byFactory.id);
    expect(Object.keys(shape).length).toBeGreaterThan(5);
    expect(shape).toEqual(await shapeOf(byService.id));
  });

  it('makes a verified member who signs in with the shared password, and an admin whom the admin routes accept', async () => {
    const member = await made.users.create();
    const admin = await made.users.create({ role: Role.Admin });
    expect(member).toMatchObject({ password: FIXTURE_PASSWORD, role: Role.User, emailVerifiedAt: expect.any(Date) });
    const memberTokens = await login(api, member);
    expect(await json(await call(api, '/users/me', memberTokens.accessToken))).toMatchObject({
      id: member.id,
      email: member.email,
      nickname: member.nickname,
      role: Role.User,
    });

    const adminTokens = await login(api, admin);
    const listed = await call(api, `/admin/users?q=${encodeURIComponent(member.email!)}`, adminTokens.accessToken);
    expect(listed.status).toBe(200);
    expect((await json<{ items: { id: string }[] }>(listed)).items.map((user) => user.id)).toEqual([member.id]);
  });

  it('makes an account without a password, which no password signs in', async () => {
    const kakaoOnly = await made.users.create({ password: null, kakaoId: kakaoId() });
    expect(kakaoOnly.password).toBeNull();
    const response = await post(api, '/auth/login', { email: kakaoOnly.email, password: FIXTURE_PASSWORD });
    expect(response.status).toBe(401);
  });

  it('makes boards and tasks that a read routed to the replica finds at once, and deleted ones it does not', async () => {
    const author = await made.users.create();
    const reader = await login(api, await made.users.create());
    const board = await made.boards.create({ authorId: author.id, title: 'made' });
    const gone = await made.boards.create({ authorId: author.id, deletedAt: new Date() });
    const task = await made.tasks.create({ creatorId: author.id, assigneeId: author.id, status: TaskStatus.Done });

    // Anonymous, and a reader with no writes of their own: both are served by the replica.
    expect(await json(await call(api, `/boards/${board.id}`))).toMatchObject({ id: board.id, title: 'made' });
    expect((await call(api, `/boards/${gone.id}`)).status).toBe(404);
    expect(await json(await call(api, `/tasks/${task.id}`, reader.accessToken))).toMatchObject({
      id: task.id,
      status: TaskStatus.Done,
      version: 1,
    });
  });

  it('makes many boards at once in the given order of creation', async () => {
    const author = await made.users.create();
    const start = Date.now() - 60_000;
    await made.boards.createMany(3, (index) => ({
      authorId: author.id,
      title: `board ${index}`,
      createdAt: new Date(start + index * 1_000),
    }));
    const page = await json<{ items: { title: string }[] }>(await call(api, `/boards?authorId=${author.id}`));
    expect(page.items.map((board) => board.title)).toEqual(['board 2', 'board 1', 'board 0']);
  });
});
