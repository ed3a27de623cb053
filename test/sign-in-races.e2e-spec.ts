import { Role } from '@app/core';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { SessionStore } from '@api/auth';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, issueCode, login, PASSWORD, post, type TestUser } from './support/auth.js';
import jwt from 'jsonwebtoken';
import { json } from './support/http.js';

// A ban or a role change that lands while a sign-in is in flight, held deterministically at the moment it would
// create its session (after it read the account and checked the password): no token may come out with the state from
// before the change.
describe('sign-in racing a ban, a role change or a new password', () => {
  let database: TestDatabase;
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testApiEnv(database));
    admin = (await login(api, await createUser(api, { role: Role.Admin }))).accessToken;
  });

  afterAll(async () => {
    await api?.close();
  });

  /**
   * Starts a sign-in of `user` and resolves once it is about to create its session; `release` lets it go on. The hold
   * wraps the real session store, which then runs as it always does.
   */
  async function heldSignIn(user: TestUser) {
    const store = api.app.get(SessionStore);
    const create = store.create.bind(store);
    let reached!: () => void;
    let release!: () => void;
    const atSession = new Promise<void>((resolve) => (reached = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const spy = jest.spyOn(store, 'create').mockImplementationOnce(async (...args) => {
      reached();
      await gate;
      return create(...args);
    });
    const answer = post(api, '/auth/login', { email: user.email, password: PASSWORD });
    await atSession;
    return {
      release: async () => {
        release();
        const response = await answer;
        spy.mockRestore();
        return response;
      },
    };
  }

  const sessionOf = (accessToken: string) => (jwt.decode(accessToken) as { sid: string }).sid;

  const admin$ = (method: string, path: string, body?: unknown) =>
    call(api, path, admin, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });

  it('a ban during the sign-in: the sign-in answers 403 ACCOUNT_BANNED and leaves no session', async () => {
    const user = await createUser(api);
    const signIn = await heldSignIn(user);
    expect((await admin$('POST', `/admin/users/${user.id}/ban`)).status).toBe(200);
    const response = await signIn.release();
    expect(response.status).toBe(403);
    expect((await json(response)).code).toBe('ACCOUNT_BANNED');
    const sessions = await api.app.get(SessionStore).list(user.id);
    expect(sessions).toEqual([]);
  });

  it('a demotion during the sign-in: the token carries the new role and opens no admin route', async () => {
    const other = await createUser(api, { role: Role.Admin });
    const signIn = await heldSignIn(other);
    expect((await admin$('PATCH', `/admin/users/${other.id}/role`, { role: Role.User })).status).toBe(200);
    const response = await signIn.release();
    expect(response.status).toBe(200);
    const tokens = await json(response);
    expect(tokens.user.role).toBe(Role.User);
    expect((await call(api, '/admin/users', tokens.accessToken)).status).toBe(403);
    expect((await call(api, '/users/me', tokens.accessToken)).status).toBe(200);
  });

  it('a password change during a sign-in with the old password: 401, and only the changing session lives', async () => {
    const user = await createUser(api);
    const changer = await login(api, user);
    const signIn = await heldSignIn(user);
    const changed = await call(api, '/users/me/password', changer.accessToken, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: PASSWORD, newPassword: 'amber-orchard-ferry-93' }),
    });
    expect(changed.status).toBe(204);
    const response = await signIn.release();
    expect(response.status).toBe(401);
    expect((await json(response)).code).toBe('INVALID_CREDENTIALS');
    const sessions = await api.app.get(SessionStore).list(user.id);
    expect(sessions.map((session) => session.id)).toEqual([sessionOf(changer.accessToken)]);
  });

  it('a password reset during a sign-in with the old password: 401, and no session at all', async () => {
    const user = await createUser(api);
    const signIn = await heldSignIn(user);
    const code = await issueCode(api, user.email, 'reset');
    const reset = await post(api, '/auth/password/reset', {
      email: user.email,
      code,
      newPassword: 'amber-orchard-ferry-93',
    });
    expect(reset.status).toBe(204);
    const response = await signIn.release();
    expect(response.status).toBe(401);
    expect(await api.app.get(SessionStore).list(user.id)).toEqual([]);
  });

  it('a sign-in that nothing races creates its session at once', async () => {
    const user = await createUser(api);
    const signIn = await heldSignIn(user);
    const response = await signIn.release();
    expect(response.status).toBe(200);
    expect(await api.app.get(SessionStore).list(user.id)).toHaveLength(1);
  });
});
