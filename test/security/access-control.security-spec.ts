import { Role } from '@app/core';
import { createTestDatabase, KakaoStub, type TestDatabase } from '@app/testing';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { TEST_SPA_ORIGIN, type TestApi } from '../support/api.js';
import {
  call,
  createPendingSignup,
  createUser,
  issueCode,
  login,
  PASSWORD,
  post,
  type TestUser,
} from '../support/auth.js';
import { fixtures, type Fixtures } from '../support/fixtures.js';
import { json } from '../support/http.js';
import { startApiWithKakao } from '../support/kakao.js';
import { DatabaseWatch } from './support/database.js';
import { problemFault } from './support/problem.js';
import { clientAddresses, fromAddress } from '../support/clients.js';

/**
 * Broken access control (API Top 10: BOLA, BFLA), route by route: every operation of the api called anonymously, as a
 * member who owns nothing involved, as the owner of the object (author, creator, the session's holder), as a task's
 * assignee, as an admin, and as a banned user holding a token from before the ban (and owning the object, so that only
 * the ban can be the reason). Objects are fresh for every call; a refused call must leave every table as it was.
 */

const ACTORS = ['anonymous', 'member', 'owner', 'assignee', 'admin', 'banned'] as const;
type Actor = (typeof ACTORS)[number];

/** Not applicable: the route has no object that this actor could own. */
const _ = null;
type Expected = [
  anonymous: number,
  member: number,
  owner: number | null,
  assignee: number | null,
  admin: number,
  banned: number,
];

interface Caller {
  actor: Actor;
  /** The access token the call carries (none for anonymous; a revoked one for banned). */
  token?: string;
}

interface Route {
  /** Method and path below /api/v1, as in the OpenAPI document (outside it for operations routes). */
  route: string;
  /** What the call needs to exist first (objects, accounts, sessions), made fresh for `caller`. */
  prepare?: (caller: Caller) => Promise<Record<string, string>>;
  send: (caller: Caller, target: Record<string, string>) => Promise<Response>;
  expected: Expected;
}

describe('access control, route by route', () => {
  let database: TestDatabase;
  let stub: KakaoStub;
  let api: TestApi;
  let watch: DatabaseWatch;
  let made: Fixtures;
  const users = {} as Record<'member' | 'owner' | 'assignee' | 'admin' | 'banned', TestUser>;
  const tokens = {} as Record<Actor, string | undefined>;

  beforeAll(async () => {
    database = await createTestDatabase();
    stub = await KakaoStub.start();
    api = await startApiWithKakao(database, stub);
    watch = new DatabaseWatch(database);
    made = fixtures(database);
    for (const actor of ['member', 'owner', 'assignee', 'banned'] as const) users[actor] = await createUser(api);
    users.admin = await createUser(api, { role: Role.Admin });
    for (const actor of ['member', 'owner', 'assignee', 'admin', 'banned'] as const) {
      tokens[actor] = (await login(api, users[actor])).accessToken;
    }
    const ban = await call(api, `/admin/users/${users.banned.id}/ban`, tokens.admin, { method: 'POST' });
    expect(ban.status).toBe(200);
  });

  afterAll(async () => {
    await api?.close();
    await stub?.stop();
    await watch?.close();
  });

  const nextClient = clientAddresses('10.20');
  let requests = 0;
  /** A request as `caller`, from an address of its own so that per-IP limits stay out of the way. */
  const request = (caller: Caller, method: string, path: string, body?: unknown) => {
    requests += 1;
    // Operations routes live outside the api prefix.
    const url = /^\/(health|docs|metrics)\b/.test(path) ? path : `/api/v1${path}`;
    return fetch(`${api.url}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        ...fromAddress(nextClient()),
        ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  const get = (path: string) => (caller: Caller) => request(caller, 'GET', path);

  /** The user who owns the object in this call: the banned user in its own column, the owner otherwise. */
  const ownerFor = (caller: Caller) => (caller.actor === 'banned' ? users.banned : users.owner);
  const board = async (caller: Caller) => ({ id: (await made.boards.create({ authorId: ownerFor(caller).id })).id });
  const task = async (caller: Caller) => ({
    id: (await made.tasks.create({ creatorId: ownerFor(caller).id, assigneeId: users.assignee.id })).id,
  });
  /**
   * A token of a session that the call may end: a new account of the caller's role for the signed-in actors (so their
   * shared tokens and session cap stay untouched), the caller's own for anonymous and banned.
   */
  const freshSession = async (caller: Caller) => {
    if (caller.actor === 'anonymous' || caller.actor === 'banned') return { token: caller.token ?? '' };
    const account = await createUser(api, { role: caller.actor === 'admin' ? Role.Admin : Role.User });
    return { token: (await login(api, account)).accessToken };
  };
  const withToken = (caller: Caller, token: string): Caller => (token ? { ...caller, token } : caller);
  const sessionOf = (accessToken: string) => (jwt.decode(accessToken) as { sid: string }).sid;

  const routes: Route[] = [
    // ---- auth: public sign-in routes answer the credential, never the caller ----------------------------------------
    {
      route: 'POST /auth/signup',
      send: (caller) =>
        request(caller, 'POST', '/auth/signup', {
          email: `signup-${randomUUID().slice(0, 8)}@example.com`,
          password: PASSWORD,
          nickname: 'newcomer',
        }),
      expected: [201, 201, _, _, 201, 201],
    },
    {
      route: 'POST /auth/email/verify',
      prepare: async () => {
        const pending = await createPendingSignup(api);
        return { email: pending.email, code: await issueCode(api, pending.email) };
      },
      send: (caller, { email, code }) =>
        request(caller, 'POST', '/auth/email/verify', { email, code, password: PASSWORD }),
      expected: [200, 200, _, _, 200, 200],
    },
    {
      route: 'POST /auth/email/resend',
      send: (caller) => request(caller, 'POST', '/auth/email/resend', { email: 'someone@example.com' }),
      expected: [202, 202, _, _, 202, 202],
    },
    {
      route: 'POST /auth/login',
      prepare: async () => ({ email: (await createUser(api)).email }),
      send: (caller, { email }) => request(caller, 'POST', '/auth/login', { email, password: PASSWORD }),
      expected: [200, 200, _, _, 200, 200],
    },
    {
      route: 'POST /auth/refresh',
      prepare: async () => ({ refreshToken: (await login(api, await createUser(api))).refreshToken }),
      send: (caller, { refreshToken }) => request(caller, 'POST', '/auth/refresh', { refreshToken }),
      expected: [200, 200, _, _, 200, 200],
    },
    {
      route: 'POST /auth/password/forgot',
      send: (caller) => request(caller, 'POST', '/auth/password/forgot', { email: 'someone@example.com' }),
      expected: [202, 202, _, _, 202, 202],
    },
    {
      route: 'POST /auth/password/reset',
      prepare: async () => {
        const { email } = await createUser(api);
        return { email, code: await issueCode(api, email, 'reset') };
      },
      send: (caller, { email, code }) =>
        request(caller, 'POST', '/auth/password/reset', { email, code, newPassword: 'amber-orchard-ferry-93' }),
      expected: [204, 204, _, _, 204, 204],
    },
    // ---- auth: the caller's own sessions ------------------------------------------------------------------------------
    {
      route: 'POST /auth/logout',
      prepare: freshSession,
      send: (caller, { token }) => request(withToken(caller, token), 'POST', '/auth/logout'),
      expected: [401, 204, _, _, 204, 401],
    },
    {
      route: 'POST /auth/logout-all',
      prepare: freshSession,
      send: (caller, { token }) => request(withToken(caller, token), 'POST', '/auth/logout-all'),
      expected: [401, 204, _, _, 204, 401],
    },
    {
      route: 'GET /auth/sessions',
      send: get('/auth/sessions'),
      expected: [401, 200, _, _, 200, 401],
    },
    {
      // The owner ends another session of their own; everyone else names a session that is not theirs.
      route: 'DELETE /auth/sessions/{id}',
      prepare: async (caller) => {
        if (caller.actor === 'banned') return { id: sessionOf(tokens.banned!), token: '' };
        const holder = await createUser(api);
        const own = await login(api, holder);
        const other = await login(api, holder);
        return { id: sessionOf(other.accessToken), token: caller.actor === 'owner' ? own.accessToken : '' };
      },
      send: (caller, { id, token }) => request(withToken(caller, token), 'DELETE', `/auth/sessions/${id}`),
      expected: [401, 404, 204, _, 404, 401],
    },
    // ---- users --------------------------------------------------------------------------------------------------------
    { route: 'GET /users/me', send: get('/users/me'), expected: [401, 200, _, _, 200, 401] },
    {
      route: 'PATCH /users/me',
      send: (caller) => request(caller, 'PATCH', '/users/me', { nickname: `renamed-${requests}` }),
      expected: [401, 200, _, _, 200, 401],
    },
    {
      // The caller's own password, on an account of its own (so that the shared accounts keep theirs).
      route: 'POST /users/me/password',
      prepare: freshSession,
      send: (caller, { token }) =>
        request(withToken(caller, token), 'POST', '/users/me/password', {
          currentPassword: PASSWORD,
          newPassword: 'amber-orchard-ferry-93',
        }),
      expected: [401, 204, _, _, 204, 401],
    },
    {
      // The caller's own account, a fresh one (closing the shared accounts would end the other rows' calls).
      route: 'DELETE /users/me',
      prepare: freshSession,
      send: (caller, { token }) => request(withToken(caller, token), 'DELETE', '/users/me', { password: PASSWORD }),
      expected: [401, 204, _, _, 204, 401],
    },
    // ---- admin: the role decides ---------------------------------------------------------------------------------------
    { route: 'GET /admin/users', send: get('/admin/users'), expected: [401, 403, _, _, 200, 401] },
    {
      route: 'PATCH /admin/users/{id}/role',
      prepare: async () => ({ id: (await createUser(api)).id }),
      send: (caller, { id }) => request(caller, 'PATCH', `/admin/users/${id}/role`, { role: 'ADMIN' }),
      expected: [401, 403, _, _, 200, 401],
    },
    {
      route: 'POST /admin/users/{id}/ban',
      prepare: async () => ({ id: (await createUser(api)).id }),
      send: (caller, { id }) => request(caller, 'POST', `/admin/users/${id}/ban`),
      expected: [401, 403, _, _, 200, 401],
    },
    {
      route: 'POST /admin/users/{id}/unban',
      prepare: async () => {
        const { id } = await createUser(api);
        await watch.query('UPDATE users SET banned_at = now() WHERE id = $1', [id]);
        return { id };
      },
      send: (caller, { id }) => request(caller, 'POST', `/admin/users/${id}/unban`),
      expected: [401, 403, _, _, 200, 401],
    },
    // ---- boards: anyone reads, members post, the author edits, the author or an admin deletes -------------------------
    {
      route: 'POST /boards',
      send: (caller) => request(caller, 'POST', '/boards', { title: 'a post', content: 'its content' }),
      expected: [401, 201, _, _, 201, 401],
    },
    { route: 'GET /boards', send: get('/boards'), expected: [200, 200, _, _, 200, 200] },
    {
      route: 'GET /boards/{id}',
      prepare: board,
      send: (caller, { id }) => request(caller, 'GET', `/boards/${id}`),
      expected: [200, 200, 200, _, 200, 200],
    },
    {
      route: 'PATCH /boards/{id}',
      prepare: board,
      send: (caller, { id }) => request(caller, 'PATCH', `/boards/${id}`, { title: 'taken over' }),
      expected: [401, 403, 200, _, 403, 401],
    },
    {
      route: 'DELETE /boards/{id}',
      prepare: board,
      send: (caller, { id }) => request(caller, 'DELETE', `/boards/${id}`),
      expected: [401, 403, 204, _, 204, 401],
    },
    // ---- tasks: members read; creator, assignee or admin change; creator or admin delete -------------------------------
    {
      route: 'POST /tasks',
      send: (caller) => request(caller, 'POST', '/tasks', { title: 'a task' }),
      expected: [401, 201, _, _, 201, 401],
    },
    { route: 'GET /tasks', send: get('/tasks'), expected: [401, 200, _, _, 200, 401] },
    {
      route: 'GET /tasks/{id}',
      prepare: task,
      send: (caller, { id }) => request(caller, 'GET', `/tasks/${id}`),
      expected: [401, 200, 200, 200, 200, 401],
    },
    {
      route: 'PATCH /tasks/{id}',
      prepare: task,
      send: (caller, { id }) => request(caller, 'PATCH', `/tasks/${id}`, { version: 1, status: 'DONE' }),
      expected: [401, 403, 200, 200, 200, 401],
    },
    {
      route: 'DELETE /tasks/{id}',
      prepare: task,
      send: (caller, { id }) => request(caller, 'DELETE', `/tasks/${id}`),
      expected: [401, 403, 204, 403, 204, 401],
    },
    {
      route: 'GET /tasks/{id}/events',
      prepare: task,
      send: (caller, { id }) => request(caller, 'GET', `/tasks/${id}/events`),
      expected: [401, 200, 200, 200, 200, 401],
    },
    // ---- Kakao: public; the Kakao credential decides --------------------------------------------------------------------
    { route: 'GET /auth/kakao', send: get('/auth/kakao'), expected: [302, 302, _, _, 302, 302] },
    {
      route: 'POST /auth/kakao',
      send: (caller) => request(caller, 'POST', '/auth/kakao', { accessToken: 'not-a-token-kakao-issued' }),
      expected: [401, 401, _, _, 401, 401],
    },
    {
      route: 'GET /auth/kakao/callback',
      send: get('/auth/kakao/callback?code=stolen&state=forged'),
      expected: [302, 302, _, _, 302, 302],
    },
    // ---- operations, outside /api/v1 -----------------------------------------------------------------------------------
    {
      // Kakao's own call, authenticated by the app admin key: no user's token opens it.
      route: 'GET /auth/kakao/unlink',
      send: get('/auth/kakao/unlink?app_id=1234&user_id=3638567622&referrer_type=UNLINK_FROM_APPS'),
      expected: [401, 401, _, _, 401, 401],
    },
    { route: 'GET /health/live', send: get('/health/live'), expected: [200, 200, _, _, 200, 200] },
    { route: 'GET /docs/openapi.json', send: get('/docs/openapi.json'), expected: [200, 200, _, _, 200, 200] },
  ];

  it('has a row for every operation of the OpenAPI document', async () => {
    const document = await json(await fetch(`${api.url}/docs/openapi.json`));
    const documented = Object.entries(document.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/^\/api\/v1/, '')}`),
    );
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((route) => !routes.some((row) => row.route === route))).toEqual([]);
  });

  const cells = routes.flatMap((row) =>
    ACTORS.flatMap((actor, column) => {
      const status = row.expected[column];
      return status === null ? [] : [{ row, actor, status }];
    }),
  );

  it.each(cells.map((cell) => [cell.row.route, cell.actor, cell.status, cell] as const))(
    '%s as %s: %i',
    async (_route, actor, status, { row }) => {
      const caller: Caller = { actor, token: tokens[actor] };
      const target = (await row.prepare?.(caller)) ?? {};
      const before = await watch.fingerprint();
      const response = await row.send(caller, target);
      const text = await response.text();
      expect({ status: response.status, body: text.slice(0, 300) }).toMatchObject({ status });
      if (status >= 400) {
        expect(problemFault(response, text)).toBeUndefined();
        // Refused means refused: nothing was written on the way.
        expect(await watch.fingerprint()).toEqual(before);
      }
      if (status === 302) {
        const location = new URL(response.headers.get('location')!);
        expect([TEST_SPA_ORIGIN, stub.url]).toContain(location.origin);
      }
    },
  );

  describe('beyond the matrix', () => {
    it('answers 404 for a deleted board or task, to its owner and to an admin alike', async () => {
      const owner: Caller = { actor: 'owner', token: tokens.owner };
      const admin: Caller = { actor: 'admin', token: tokens.admin };
      const deletedAt = new Date();
      const { id: boardId } = await made.boards.create({ authorId: users.owner.id, deletedAt });
      const { id: taskId } = await made.tasks.create({ creatorId: users.owner.id, deletedAt });
      for (const caller of [owner, admin]) {
        expect((await request(caller, 'PATCH', `/boards/${boardId}`, { title: 'back' })).status).toBe(404);
        expect((await request(caller, 'DELETE', `/boards/${boardId}`)).status).toBe(404);
        expect((await request(caller, 'PATCH', `/tasks/${taskId}`, { version: 1, title: 'back' })).status).toBe(404);
        expect((await request(caller, 'DELETE', `/tasks/${taskId}`)).status).toBe(404);
      }
      const [row] = await watch.query<{ deleted: boolean }>(
        'SELECT deleted_at IS NOT NULL AS deleted FROM boards WHERE id = $1',
        [boardId],
      );
      expect(row.deleted).toBe(true);
    });

    it('lets no client set a property that is not its to set (mass assignment)', async () => {
      const member: Caller = { actor: 'member', token: tokens.member };
      const { id: boardId } = await made.boards.create({ authorId: users.member.id });
      const { id: taskId } = await made.tasks.create({ creatorId: users.member.id });
      const before = await watch.fingerprint();
      const attempts = [
        request(member, 'PATCH', '/users/me', { nickname: 'boss', role: 'ADMIN' }),
        request(member, 'PATCH', '/users/me', { nickname: 'boss', bannedAt: null, emailVerifiedAt: null }),
        request(member, 'POST', '/boards', { title: 't', content: 'c', authorId: users.owner.id }),
        request(member, 'PATCH', `/boards/${boardId}`, { title: 't', authorId: users.owner.id }),
        request(member, 'POST', '/tasks', { title: 't', creatorId: users.owner.id }),
        request(member, 'PATCH', `/tasks/${taskId}`, { version: 1, title: 't', creatorId: users.owner.id }),
        request(member, 'PATCH', `/tasks/${taskId}`, { title: 'no version' }),
      ];
      for (const response of await Promise.all(attempts)) {
        expect(response.status).toBe(400);
        expect((await json(response)).code).toBe('VALIDATION_FAILED');
      }
      expect(await watch.fingerprint()).toEqual(before);
      expect((await json(await call(api, '/users/me', tokens.member))).role).toBe('USER');
    });

    it('refuses an admin their own role change or ban', async () => {
      const admin: Caller = { actor: 'admin', token: tokens.admin };
      const demote = await request(admin, 'PATCH', `/admin/users/${users.admin.id}/role`, { role: 'USER' });
      expect(demote.status).toBe(403);
      expect((await request(admin, 'POST', `/admin/users/${users.admin.id}/ban`)).status).toBe(403);
      expect((await call(api, '/admin/users', tokens.admin)).status).toBe(200);
    });

    it("checks the admin role against the account's current state, not the token's claim", async () => {
      const formerAdmin = await createUser(api, { role: Role.Admin });
      const { accessToken } = await login(api, formerAdmin);
      expect((await call(api, '/admin/users', accessToken)).status).toBe(200);
      const demoted = await call(api, `/admin/users/${formerAdmin.id}/role`, tokens.admin, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'USER' }),
      });
      expect(demoted.status).toBe(200);
      // The token still says ADMIN and has not expired; it must not open anything any more.
      expect((await call(api, '/admin/users', accessToken)).status).toBe(401);
      expect((await call(api, '/users/me', accessToken)).status).toBe(401);
    });

    it('keeps a banned user out: no sign-in, no refresh', async () => {
      const victim = await createUser(api);
      const signedIn = await login(api, victim);
      expect((await call(api, `/admin/users/${victim.id}/ban`, tokens.admin, { method: 'POST' })).status).toBe(200);
      const again = await post(api, '/auth/login', { email: victim.email, password: PASSWORD });
      expect(again.status).toBe(403);
      expect((await json(again)).code).toBe('ACCOUNT_BANNED');
      const refreshed = await post(api, '/auth/refresh', { refreshToken: signedIn.refreshToken });
      expect(refreshed.status).toBe(401);
      expect((await call(api, '/users/me', signedIn.accessToken)).status).toBe(401);
    });
  });
});
