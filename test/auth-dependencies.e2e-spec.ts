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

  it('answers 503, not 401 or 500, for a signed-in call it cannot check', async () => {
    const tokens = await login(healthy, await createUser(healthy));
    const response = await call(cutOff, '/users/me', tokens.accessToken);
    expect(response.status).toBe(503);
    expect((await json(response)).code).toBe('DEPENDENCY_UNAVAILABLE');
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
});
