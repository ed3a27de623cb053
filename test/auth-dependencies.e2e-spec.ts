import { createTestDatabase, freePort, query, type TestDatabase } from '@app/testing';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, login, PASSWORD, post, refresh } from './support/auth.js';
import { json } from './support/http.js';

// Two instances on one database: `healthy` reaches Redis, `cut off` does not (its REDIS_URL points nowhere).
describe('auth while Redis is unreachable', () => {
  let database: TestDatabase;
  let healthy: TestApi;
  let cutOff: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = testApiEnv(database);
    healthy = await startApi(env);
    cutOff = await startApi({ ...env, REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
  });

  afterAll(async () => {
    await Promise.all([healthy?.close(), cutOff?.close()]);
  });

  it('answers refresh with 503 and Retry-After, and the same token still works once Redis answers', async () => {
    const tokens = await login(healthy, await createUser(healthy));
    const unavailable = await refresh(cutOff, tokens.refreshToken);
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    expect(unavailable.headers.get('cache-control')).toBe('no-store');
    expect((await json(unavailable)).code).toBe('DEPENDENCY_UNAVAILABLE');
    expect((await refresh(healthy, tokens.refreshToken)).status).toBe(200);
  });

  it('checks a signed-in call against the account while the session store is unreachable', async () => {
    const user = await createUser(healthy);
    const tokens = await login(healthy, user);
    const response = await call(cutOff, '/users/me', tokens.accessToken);
    expect(response.status).toBe(200);
    expect((await json(response)).id).toBe(user.id);
  });

  it.each([
    ['a banned user', 'UPDATE users SET banned_at = now() WHERE id = $1'],
    ['a user whose role changed', "UPDATE users SET role = 'ADMIN' WHERE id = $1"],
    ['a deleted user', 'DELETE FROM users WHERE id = $1'],
  ])('still refuses %s with 401 while the session store is unreachable', async (_who, sql) => {
    const user = await createUser(healthy);
    const tokens = await login(healthy, user);
    await query(database.primaryUrl, sql, [user.id]);
    const response = await call(cutOff, '/users/me', tokens.accessToken);
    expect(response.status).toBe(401);
    expect((await json(response)).code).toBe('UNAUTHORIZED');
  });

  it('refuses a signup with 503 and creates nothing', async () => {
    const email = 'no-redis@example.com';
    const response = await post(cutOff, '/auth/signup', { email, password: PASSWORD, nickname: 'x' });
    expect(response.status).toBe(503);
    expect(await query(database.primaryUrl, 'SELECT 1 FROM users WHERE email = $1', [email])).toHaveLength(0);
  });

  it('keeps public routes answering', async () => {
    expect((await fetch(`${cutOff.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${cutOff.url}/docs/openapi.json`)).status).toBe(200);
  });

  // Last: the passport strategy of the most recently started instance checks tokens for the whole process.
  it('answers 503 when neither the session store nor the database can check a token', async () => {
    const tokens = await login(healthy, await createUser(healthy));
    const blind = await startApi({
      ...testApiEnv(database),
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`,
      DATABASE_REPLICA_URLS: '',
    });
    try {
      const response = await call(blind, '/users/me', tokens.accessToken);
      expect(response.status).toBe(503);
      expect((await json(response)).code).toBe('DEPENDENCY_UNAVAILABLE');
    } finally {
      await blind.close();
    }
  });
});
