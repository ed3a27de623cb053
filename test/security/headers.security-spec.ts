import { createTestDatabase, type TestDatabase } from '@app/testing';
import { startApi, TEST_SPA_ORIGIN, testApiEnv, type TestApi } from '../support/api.js';
import { createUser, post, refresh, type TestUser } from '../support/auth.js';

/**
 * What every answer tells a browser: the security headers (helmet), no framework banner, HSTS in production only,
 * CORS for the SPA's origin alone (with credentials), and no caching of anything that carries or refuses a token.
 */
describe('response headers', () => {
  let database: TestDatabase;
  let api: TestApi;
  let production: TestApi;
  let user: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testApiEnv(database));
    // The same deployment in production mode (one database, so tokens and sessions are shared).
    production = await startApi(
      testApiEnv(database, {
        NODE_ENV: 'production',
        MAIL_SEAL_KEY: 'a-production-mail-seal-key-of-enough-random-characters',
      }),
    );
    user = await createUser(api);
  });

  afterAll(async () => {
    await production?.close();
    await api?.close();
  });

  const get = (target: TestApi, path: string, headers: Record<string, string> = {}) =>
    fetch(`${target.url}${path}`, { headers });

  describe('security headers', () => {
    const answers: [string, () => Promise<Response>][] = [
      ['a public list', () => get(api, '/api/v1/boards')],
      ['a refused call (401)', () => get(api, '/api/v1/users/me')],
      ['an unknown route (404)', () => get(api, '/api/v1/no-such-route')],
      ['a sign-in', () => post(api, '/auth/login', { email: user.email, password: user.password })],
      ['a validation error (400)', () => post(api, '/auth/login', { email: 'x' })],
      ['the health check', () => get(api, '/health/live')],
      ['the OpenAPI document', () => get(api, '/docs/openapi.json')],
    ];

    it.each(answers)('are on %s', async (_name, send) => {
      const response = await send();
      const csp = response.headers.get('content-security-policy') ?? '';
      expect({
        nosniff: response.headers.get('x-content-type-options'),
        frameOptions: response.headers.get('x-frame-options'),
        referrer: response.headers.get('referrer-policy'),
        opener: response.headers.get('cross-origin-opener-policy'),
        resource: response.headers.get('cross-origin-resource-policy'),
        crossDomain: response.headers.get('x-permitted-cross-domain-policies'),
        dnsPrefetch: response.headers.get('x-dns-prefetch-control'),
      }).toEqual({
        nosniff: 'nosniff',
        frameOptions: 'SAMEORIGIN',
        referrer: 'no-referrer',
        opener: 'same-origin',
        resource: 'same-site',
        crossDomain: 'none',
        dnsPrefetch: 'off',
      });
      // Nobody may frame the api (clickjacking of the docs page), whatever the legacy header says.
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      // No banner that names the framework or its version.
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.headers.get('server') ?? '').not.toMatch(/\d|fastify|nest|node/i);
      // HSTS is for production, where TLS ends at the load balancer for our own domain.
      expect(response.headers.get('strict-transport-security')).toBeNull();
    });

    it('include HSTS for a year, with subdomains, in production', async () => {
      for (const path of ['/health/live', '/api/v1/boards', '/api/v1/users/me']) {
        const response = await get(production, path);
        expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
        expect(response.headers.get('x-powered-by')).toBeNull();
      }
    });
  });

  it.each([
    ['a path parameter over the router limit', `/api/v1/boards/${'a'.repeat(300)}`],
    ['broken percent-encoding in the path', '/api/v1/boards/%E0%A4%A'],
  ])('answers the router refusing %s with a 400 problem, echoing nothing', async (_name, path) => {
    const status = 400;
    const response = await get(api, path);
    const text = await response.text();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.parse(text)).toMatchObject({ status, code: expect.any(String), requestId: expect.any(String) });
    expect(text).not.toContain('aaaaaaaa');
    expect(text).not.toContain('%E0');
  });

  describe('CORS', () => {
    const preflight = (origin: string, method = 'PATCH') =>
      fetch(`${api.url}/api/v1/boards/00000000-0000-4000-8000-000000000000`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization,content-type',
        },
      });

    it('admits the SPA origin with credentials, its methods and headers', async () => {
      const response = await preflight(TEST_SPA_ORIGIN);
      expect(response.status).toBeLessThan(300);
      expect(response.headers.get('access-control-allow-origin')).toBe(TEST_SPA_ORIGIN);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
      expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(response.headers.get('vary')?.toLowerCase()).toContain('origin');
    });

    it.each([
      'https://evil.example',
      'null',
      `${TEST_SPA_ORIGIN}.evil.example`,
      TEST_SPA_ORIGIN.replace('http://', 'https://'),
      `${TEST_SPA_ORIGIN}:8443`,
      TEST_SPA_ORIGIN.replace('spa.', 'evil-spa.'),
      TEST_SPA_ORIGIN.toUpperCase(),
    ])('admits no other origin: %s', async (origin) => {
      for (const response of [
        await preflight(origin),
        await get(api, '/api/v1/boards', { origin }),
        await get(api, '/api/v1/users/me', { origin }),
      ]) {
        // Without a matching Access-Control-Allow-Origin the browser keeps the answer from the page (a stray
        // Allow-Credentials, which the CORS plugin always sends, does not change that).
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    it('answers the SPA on simple requests too, exposing the request id, never with a wildcard', async () => {
      const response = await get(api, '/api/v1/boards', { origin: TEST_SPA_ORIGIN });
      expect(response.headers.get('access-control-allow-origin')).toBe(TEST_SPA_ORIGIN);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
      expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
    });
  });

  describe('caching of tokens', () => {
    const noStore = (response: Response) => response.headers.get('cache-control');

    it('forbids storing a sign-in, a refresh and their refusals', async () => {
      const signedIn = await post(api, '/auth/login', { email: user.email, password: user.password });
      expect(signedIn.status).toBe(200);
      expect(noStore(signedIn)).toBe('no-store');
      const { refreshToken, accessToken } = (await signedIn.json()) as { refreshToken: string; accessToken: string };
      const rotated = await refresh(api, refreshToken);
      expect(rotated.status).toBe(200);
      expect(noStore(rotated)).toBe('no-store');
      const answers = [
        await post(api, '/auth/login', { email: user.email, password: 'wrong-password' }),
        await refresh(
          api,
          refreshToken.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
        ),
        await post(api, '/auth/refresh', {}),
        await fetch(`${api.url}/api/v1/auth/sessions`, { headers: { authorization: `Bearer ${accessToken}` } }),
      ];
      for (const response of answers) expect(noStore(response)).toBe('no-store');
    });

    it('keeps the refresh cookie to the auth routes, away from scripts and other sites; Secure in production', async () => {
      const signedIn = await post(api, '/auth/login', { email: user.email, password: user.password });
      const cookies = signedIn.headers.getSetCookie();
      expect(cookies.map((c) => c.split('=')[0]).sort()).toEqual(['modak_device', 'modak_rt']);
      const cookie = cookies.find((c) => c.startsWith('modak_rt='))!;
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Strict/i);
      expect(cookie).toMatch(/;\s*Path=\/api\/v1\/auth(;|$)/);
      expect(cookie).not.toMatch(/;\s*Domain=/i);
      const maxAge = Number(/Max-Age=(\d+)/i.exec(cookie)?.[1]);
      expect(maxAge).toBeGreaterThan(0);
      expect(maxAge).toBeLessThanOrEqual(30 * 24 * 3600);
      expect(cookie).not.toMatch(/;\s*Secure/i);

      const secure = await fetch(`${production.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: user.email, password: user.password }),
      });
      expect(secure.status).toBe(200);
      for (const set of secure.headers.getSetCookie()) expect(set).toMatch(/;\s*Secure/i);
    });

    it('keeps the device cookie to the login route, away from scripts and other sites', async () => {
      const signedIn = await post(api, '/auth/login', { email: user.email, password: user.password });
      const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('modak_device='))!;
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Strict/i);
      expect(cookie).toMatch(/;\s*Path=\/api\/v1\/auth\/login(;|$)/);
      expect(cookie).not.toMatch(/;\s*Domain=/i);
      // It names the device and a MAC of the account, nothing readable about the account itself.
      expect(cookie).not.toContain(user.email);
      expect(cookie).not.toContain(encodeURIComponent(user.email));
    });
  });
});
