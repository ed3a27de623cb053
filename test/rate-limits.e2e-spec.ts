import { createTestDatabase, type TestDatabase } from '@app/testing';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, issueCode, login, PASSWORD, post, refresh } from './support/auth.js';
import { json } from './support/http.js';
import { fromAddress } from './support/clients.js';

// Tight limits so that each one is reached in a few calls; two instances show that the counters are shared.
describe('rate limits', () => {
  let database: TestDatabase;
  let first: TestApi;
  let second: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = testApiEnv(database, {
      RATE_LIMIT_SIGNUP_IP: '2/1m',
      RATE_LIMIT_RESEND_IP: '2/1m',
      RATE_LIMIT_VERIFY_EMAIL: '3/1m',
      RATE_LIMIT_VERIFY_IP: '4/1m',
      RATE_LIMIT_REFRESH_SESSION: '2/1m',
      RATE_LIMIT_LOGIN_IP: '3/1m',
      RATE_LIMIT_LOGIN_ACCOUNT: '3/1h',
    });
    [first, second] = await Promise.all([startApi(env), startApi(env)]);
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  const expectLimited = async (response: Response) => {
    expect(response.status).toBe(429);
    expect((await json(response)).code).toBe('RATE_LIMITED');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('limits signups per IP across instances', async () => {
    const signup = (api: TestApi, n: number) =>
      post(
        api,
        '/auth/signup',
        { email: `s${n}@example.com`, password: PASSWORD, nickname: 'x' },
        fromAddress('198.51.100.1'),
      );
    expect((await signup(first, 1)).status).not.toBe(429);
    expect((await signup(second, 2)).status).not.toBe(429);
    await expectLimited(await signup(first, 3));
    // Another address is not affected.
    const other = await post(
      first,
      '/auth/signup',
      { email: 's4@example.com', password: PASSWORD, nickname: 'x' },
      fromAddress('198.51.100.2'),
    );
    expect(other.status).toBe(201);
  });

  it('limits code resends per IP', async () => {
    const resend = () =>
      post(first, '/auth/email/resend', { email: 'anyone@example.com' }, fromAddress('198.51.100.3'));
    expect((await resend()).status).toBe(202);
    expect((await resend()).status).toBe(202);
    await expectLimited(await resend());
  });

  it('limits verification attempts per email, whatever the IP', async () => {
    const verify = (ip: string) =>
      post(
        first,
        '/auth/email/verify',
        { email: 'target@example.com', code: '123456', password: PASSWORD },
        fromAddress(ip),
      );
    for (const ip of ['198.51.100.4', '198.51.100.5', '198.51.100.6']) expect((await verify(ip)).status).toBe(400);
    await expectLimited(await verify('198.51.100.7'));
  });

  it('limits verification attempts per client, across addresses and across its /64', async () => {
    const verify = (n: number) =>
      post(
        first,
        '/auth/email/verify',
        { email: `guess-${n}@example.com`, code: '123456', password: PASSWORD },
        fromAddress(`2001:db8:99:1::${n}`),
      );
    for (const n of [1, 2, 3, 4]) expect((await verify(n)).status).toBe(400);
    await expectLimited(await verify(5));
  });

  it('limits failed logins per IP across accounts', async () => {
    const attempt = (n: number) =>
      post(
        second,
        '/auth/login',
        { email: `nobody${n}@example.com`, password: 'wrong-password' },
        fromAddress('198.51.100.8'),
      );
    for (const n of [1, 2, 3]) expect((await attempt(n)).status).toBe(401);
    await expectLimited(await attempt(4));
  });

  it('counts an IPv6 client by its /64: a new address from the same /64 is the same client', async () => {
    const attempt = (n: number, ip: string) =>
      post(first, '/auth/login', { email: `v6-${n}@example.com`, password: 'wrong-password' }, fromAddress(ip));
    for (const n of [1, 2, 3]) expect((await attempt(n, `2001:db8:64:1::${n.toString(16)}`)).status).toBe(401);
    await expectLimited(await attempt(4, '2001:db8:64:1:ffff:ffff:ffff:fffe'));
    // The neighbouring /64 is another client; an IPv4 client seen through a dual-stack socket is its IPv4 address.
    expect((await attempt(5, '2001:db8:64:2::1')).status).toBe(401);
    for (const n of [6, 7, 8]) expect((await attempt(n, '::ffff:198.51.100.64')).status).toBe(401);
    await expectLimited(await attempt(9, '198.51.100.64'));

    const signup = (n: number) =>
      post(
        second,
        '/auth/signup',
        { email: `v6-signup-${n}@example.com`, password: PASSWORD, nickname: 'x' },
        fromAddress(`2001:db8:64:3:${n}::1`),
      );
    expect((await signup(1)).status).toBe(201);
    expect((await signup(2)).status).toBe(201);
    await expectLimited(await signup(3));
  });

  it('caps failed logins per account from every network, without locking out a browser that signed in before', async () => {
    const owner = await createUser(first);
    const signIn = (api: TestApi, password: string, ip: string, cookie?: string) =>
      post(api, '/auth/login', { email: owner.email, password }, { ...fromAddress(ip), ...(cookie && { cookie }) });
    const trusted = await signIn(first, PASSWORD, '198.51.100.90');
    expect(trusted.status).toBe(200);
    const setCookie = trusted.headers.getSetCookie().find((header) => header.startsWith('modak_device='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/api\/v1\/auth\/login/);
    const deviceCookie = setCookie.split(';')[0];

    // Guesses from three networks use up the allowance every other client shares, on both instances: from a fourth
    // network even the right password is refused.
    for (const n of [1, 2, 3])
      expect((await signIn(n % 2 ? first : second, 'wrong-password', `203.0.113.${n}`)).status).toBe(401);
    await expectLimited(await signIn(first, PASSWORD, '203.0.113.4'));
    await expectLimited(await signIn(second, PASSWORD, '2001:db8:77::1'));
    // A cookie made for another account, or a forged one, is no allowance for this one.
    const other = await createUser(first);
    const otherLogin = await post(
      first,
      '/auth/login',
      { email: other.email, password: PASSWORD },
      fromAddress('192.0.2.70'),
    );
    const otherCookie = otherLogin.headers.getSetCookie().find((header) => header.startsWith('modak_device='))!;
    await expectLimited(await signIn(first, PASSWORD, '192.0.2.71', otherCookie.split(';')[0]));
    await expectLimited(await signIn(first, PASSWORD, '192.0.2.72', `${deviceCookie.split('.')[0]}.forged`));
    // The owner's browser has its own allowance: it signs in from yet another network.
    expect((await signIn(second, PASSWORD, '192.0.2.50', deviceCookie)).status).toBe(200);
  });

  it('lets a password reset get the owner back in while the account allowance is used up', async () => {
    const owner = await createUser(first);
    const signIn = (password: string, ip: string, cookie?: string) =>
      post(first, '/auth/login', { email: owner.email, password }, { ...fromAddress(ip), ...(cookie && { cookie }) });
    for (const n of [1, 2, 3]) expect((await signIn('wrong-password', `203.0.114.${n}`)).status).toBe(401);
    await expectLimited(await signIn(PASSWORD, '203.0.114.4'));

    // The owner proves the address: the reset's browser gets a device cookie, and with it its own allowance.
    const newPassword = 'amber-orchard-ferry-93';
    const reset = await post(
      second,
      '/auth/password/reset',
      { email: owner.email, code: await issueCode(second, owner.email, 'reset'), newPassword },
      fromAddress('203.0.114.5'),
    );
    expect(reset.status).toBe(204);
    const deviceCookie = reset.headers.getSetCookie().find((header) => header.startsWith('modak_device='))!;
    expect(deviceCookie).toMatch(/Path=\/api\/v1\/auth\/login/);
    expect((await signIn(newPassword, '203.0.114.5', deviceCookie.split(';')[0])).status).toBe(200);
    await expectLimited(await signIn(newPassword, '203.0.114.6'));
  });

  it('limits refreshes per session', async () => {
    const tokens = await login(first, await createUser(first));
    const one = await json(await refresh(first, tokens.refreshToken));
    const two = await json(await refresh(second, one.refreshToken));
    await expectLimited(await refresh(first, two.refreshToken));
  });

  it('records the client address from X-Forwarded-For (one trusted hop, the load balancer)', async () => {
    const user = await createUser(first);
    const response = await post(
      first,
      '/auth/login',
      { email: user.email, password: PASSWORD },
      {
        'x-forwarded-for': '203.0.113.9, 198.51.100.77',
        'user-agent': 'Modak-SPA/1.0',
      },
    );
    const { accessToken } = await json(response);
    const [session] = await json(await call(first, '/auth/sessions', accessToken));
    // The last hop is the one the load balancer appended: the address the client connected from.
    expect(session).toMatchObject({ ip: '198.51.100.77', userAgent: 'Modak-SPA/1.0', current: true });
  });
});
