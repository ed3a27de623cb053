import { deriveKey, PROBLEM_CONTENT_TYPE } from '@app/core';
import { sign } from '@fastify/cookie';
import {
  createTestDatabase,
  KAKAO_DEFAULT_APP,
  KAKAO_EMAIL_DECLINED_USER,
  KAKAO_EMAIL_UNVERIFIED_USER,
  KAKAO_FULL_CONSENT_USER,
  KAKAO_LARGE_ID_USER,
  KAKAO_NICKNAME_ONLY_USER,
  KAKAO_NO_PROFILE_USER,
  KAKAO_OTHER_APP_USER,
  KakaoStub,
  pkceChallenge,
  query,
  type KakaoStubAccount,
  type KakaoStubUser,
  type TestDatabase,
} from '@app/testing';
import { randomUUID } from 'node:crypto';
import { startApi, TEST_SPA_ORIGIN, testApiEnv, type TestApi } from './support/api.js';
import { call, createPendingSignup, createUser, issueCode, login, PASSWORD, post } from './support/auth.js';
import { clientAddresses } from './support/clients.js';
import { json } from './support/http.js';
import { Browser, startApiWithKakao } from './support/kakao.js';

const SPA = `${TEST_SPA_ORIGIN}/`;
const CALLBACK_PATH = '/api/v1/auth/kakao/callback';

describe('Kakao sign-in', () => {
  let database: TestDatabase;
  let stub: KakaoStub;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    stub = await KakaoStub.start();
    // Every test signs in from addresses of its own, so this limit only bites the test that is about it.
    api = await startApiWithKakao(database, stub, { RATE_LIMIT_KAKAO_IP: '5/1m' });
  });

  afterAll(async () => {
    await api?.close();
    await stub?.stop();
  });

  beforeEach(async () => {
    await stub.reset();
  });

  const nextIp = clientAddresses('10.77');
  const newBrowser = (): Browser => new Browser(nextIp());

  let kakaoIds = 0;
  /** A Kakao user of this test alone: a fresh id and, unless told otherwise, a fresh verified email. */
  const addKakaoUser = async (account: KakaoStubAccount = {}): Promise<KakaoStubUser> => {
    kakaoIds += 1;
    const user: KakaoStubUser = {
      id: String(7_100_000_000 + kakaoIds),
      properties: { nickname: `카카오${kakaoIds}` },
      kakao_account: {
        profile: { nickname: `카카오${kakaoIds}` },
        is_email_valid: true,
        is_email_verified: true,
        email: `kakao-${randomUUID().slice(0, 8)}@example.com`,
        ...account,
      },
    };
    await stub.addUser(user);
    return user;
  };

  const authorizeUrl = (redirect?: string): string =>
    `${api.url}/api/v1/auth/kakao${redirect === undefined ? '' : `?redirect=${encodeURIComponent(redirect)}`}`;

  /** The three hops of a browser sign-in, with `kakaoUserId` approving on Kakao's page (null: the user cancels). */
  async function browserSignIn(browser: Browser, kakaoUserId: string | null, redirect?: string) {
    if (kakaoUserId === null) await stub.denyNextLogin();
    else await stub.nextLogin(kakaoUserId);
    const start = await browser.get(authorizeUrl(redirect));
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    const atKakao = await browser.get(authorize.toString());
    expect(atKakao.status).toBe(302);
    const callbackUrl = atKakao.headers.get('location')!;
    expect(callbackUrl.startsWith(`${api.url}${CALLBACK_PATH}?`)).toBe(true);
    const back = await browser.get(callbackUrl);
    expect(back.status).toBe(302);
    return { start, authorize, callbackUrl, back, landing: back.headers.get('location')! };
  }

  /** What the SPA does once it lands: refresh with the cookie. */
  async function refreshInBrowser(browser: Browser) {
    const response = await browser.post(`${api.url}/api/v1/auth/refresh`);
    expect(response.status).toBe(200);
    return json(response);
  }

  /** Signs `kakaoUserId` in through the browser and returns the user the SPA then sees. */
  async function signInThroughBrowser(kakaoUserId: string) {
    const browser = newBrowser();
    const { landing } = await browserSignIn(browser, kakaoUserId);
    expect(landing).toBe(SPA);
    return (await refreshInBrowser(browser)).user;
  }

  const postToken = (accessToken: string, ip = nextIp()) =>
    post(api, '/auth/kakao', { accessToken }, { 'x-forwarded-for': ip });

  const kakaoIdOf = async (userId: string): Promise<string | null> =>
    (
      await query<{ kakao_id: string | null }>(database.primaryUrl, 'SELECT kakao_id FROM users WHERE id = $1', [
        userId,
      ])
    )[0].kakao_id;

  const errorRedirect = (error: string): string => `${SPA}?error=${error}`;

  describe('in the browser', () => {
    it('goes to Kakao with state and PKCE (S256), and comes back signed in with the refresh cookie and no token in the URL', async () => {
      const browser = newBrowser();
      const { start, authorize, callbackUrl, back, landing } = await browserSignIn(
        browser,
        KAKAO_FULL_CONSENT_USER.id,
        '/boards/42?tab=tasks',
      );

      expect(`${authorize.origin}${authorize.pathname}`).toBe(`${stub.url}/oauth/authorize`);
      const params = authorize.searchParams;
      expect(params.get('response_type')).toBe('code');
      expect(params.get('client_id')).toBe(KAKAO_DEFAULT_APP.clientId);
      expect(params.get('redirect_uri')).toBe(`${api.url}${CALLBACK_PATH}`);
      expect(params.get('state')).toMatch(/^[\w-]{43,}$/);
      expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(new URL(callbackUrl).searchParams.get('state')).toBe(params.get('state'));

      const stateCookie = start.headers.getSetCookie().find((line) => line.startsWith('modak_kakao='))!;
      expect(stateCookie).toMatch(/HttpOnly/i);
      expect(stateCookie).toMatch(/SameSite=Lax/i);
      expect(stateCookie).toContain(`Path=${CALLBACK_PATH}`);
      expect(stateCookie).toContain('Max-Age=600');
      expect(stateCookie).toMatch(/^modak_kakao=[\w-]+\.[\w%+/=-]+;/); // value.signature

      expect(landing).toBe(`${TEST_SPA_ORIGIN}/boards/42?tab=tasks`);
      expect(back.headers.get('cache-control')).toBe('no-store');
      const refreshCookie = back.headers.getSetCookie().find((line) => line.startsWith('modak_rt='))!;
      expect(refreshCookie).toMatch(/HttpOnly/i);
      expect(refreshCookie).toMatch(/SameSite=Strict/i);
      expect(refreshCookie).toContain('Path=/api/v1/auth');
      const refreshToken = /^modak_rt=([^;]+)/.exec(refreshCookie)![1];
      expect(landing).not.toContain(refreshToken);
      expect(landing).not.toMatch(/token|code=/i);
      expect(browser.cookie(`${api.url}${CALLBACK_PATH}`, 'modak_kakao')).toBeUndefined();

      const [exchange] = await stub.requests({ path: '/oauth/token' });
      expect(exchange.headers.authorization).toBeUndefined();
      expect(exchange.form).toMatchObject({
        grant_type: 'authorization_code',
        client_id: KAKAO_DEFAULT_APP.clientId,
        client_secret: KAKAO_DEFAULT_APP.clientSecret,
        redirect_uri: `${api.url}${CALLBACK_PATH}`,
      });
      expect(pkceChallenge(exchange.form.code_verifier)).toBe(params.get('code_challenge'));

      const tokens = await refreshInBrowser(browser);
      expect(tokens.user).toMatchObject({
        email: 'dayeon.kim@example.com',
        nickname: '김다연',
        emailVerified: true,
        provider: 'kakao',
        role: 'USER',
      });
      const me = await call(api, '/users/me', tokens.accessToken);
      expect((await json(me)).id).toBe(tokens.user.id);
    });

    it.each([
      ['full consent', KAKAO_FULL_CONSENT_USER, { email: 'dayeon.kim@example.com', nickname: '김다연' }],
      ['the nickname only', KAKAO_NICKNAME_ONLY_USER, { email: null, nickname: '박서준' }],
      ['the email declined', KAKAO_EMAIL_DECLINED_USER, { email: null, nickname: '이하은' }],
      ['an email Kakao has not verified', KAKAO_EMAIL_UNVERIFIED_USER, { email: null, nickname: '최민준' }],
      [
        'no properties and no profile',
        KAKAO_NO_PROFILE_USER,
        { email: 'no.profile@example.com', nickname: '카카오 사용자' },
      ],
    ])('signs in a Kakao user with %s, keeping only a verified email', async (_shape, kakaoUser, expected) => {
      const user = await signInThroughBrowser(kakaoUser.id);
      expect(user).toMatchObject({ ...expected, emailVerified: expected.email !== null, provider: 'kakao' });
      expect(await kakaoIdOf(user.id)).toBe(kakaoUser.id);
    });

    it('stores a 19-digit Kakao id above 2^53 exactly, and knows it again from an SDK token', async () => {
      const user = await signInThroughBrowser(KAKAO_LARGE_ID_USER.id);
      expect(await kakaoIdOf(user.id)).toBe('1376016924429759243');
      const { accessToken } = await stub.issueToken({ userId: KAKAO_LARGE_ID_USER.id });
      const response = await postToken(accessToken);
      expect(response.status).toBe(200);
      expect((await json(response)).user.id).toBe(user.id);
    });

    it('sends a cancelled sign-in back to the SPA with kakao_cancelled, and signs nobody in', async () => {
      const browser = newBrowser();
      const { back, landing } = await browserSignIn(browser, null);
      expect(landing).toBe(errorRedirect('kakao_cancelled'));
      expect(back.headers.getSetCookie().some((line) => line.startsWith('modak_rt='))).toBe(false);
      expect(browser.cookie(`${api.url}${CALLBACK_PATH}`, 'modak_kakao')).toBeUndefined();
      expect(await stub.requests({ path: '/oauth/token' })).toHaveLength(0);
    });

    it('refuses a callback whose state is not the one this browser started with (CSRF), without exchanging the code', async () => {
      const victim = newBrowser();
      await stub.nextLogin(KAKAO_FULL_CONSENT_USER.id);
      const start = await victim.get(authorizeUrl());
      const callbackUrl = (await victim.get(start.headers.get('location')!)).headers.get('location')!;

      // An attacker's link carrying their own code and state: this browser never started that sign-in.
      const elsewhere = await newBrowser().get(callbackUrl);
      expect(elsewhere.headers.get('location')).toBe(errorRedirect('kakao_state_mismatch'));

      const tampered = new URL(callbackUrl);
      tampered.searchParams.set('state', 'not-the-state');
      const mismatch = await victim.get(tampered.toString());
      expect(mismatch.status).toBe(302);
      expect(mismatch.headers.get('location')).toBe(errorRedirect('kakao_state_mismatch'));
      expect(mismatch.headers.getSetCookie().some((line) => line.startsWith('modak_rt='))).toBe(false);

      expect(await stub.requests({ path: '/oauth/token' })).toHaveLength(0);
    });

    it('refuses a forged state cookie', async () => {
      const browser = newBrowser();
      await stub.nextLogin(KAKAO_FULL_CONSENT_USER.id);
      const start = await browser.get(authorizeUrl());
      const callbackUrl = (await browser.get(start.headers.get('location')!)).headers.get('location')!;
      const state = new URL(callbackUrl).searchParams.get('state')!;
      const forged = Buffer.from(
        JSON.stringify({ state, verifier: 'x'.repeat(43), redirect: '/', expiresAt: Date.now() + 60_000 }),
      ).toString('base64url');
      const response = await fetch(callbackUrl, {
        redirect: 'manual',
        headers: { cookie: `modak_kakao=${forged}.bm90LWEtc2lnbmF0dXJl`, 'x-forwarded-for': browser.ip },
      });
      expect(response.headers.get('location')).toBe(errorRedirect('kakao_state_mismatch'));
    });

    it('refuses a callback without a state, or whose signed state cookie has expired, without exchanging the code', async () => {
      const browser = newBrowser();
      await stub.nextLogin(KAKAO_FULL_CONSENT_USER.id);
      const start = await browser.get(authorizeUrl('/boards'));
      const callbackUrl = (await browser.get(start.headers.get('location')!)).headers.get('location')!;

      const stateless = new URL(callbackUrl);
      stateless.searchParams.delete('state');
      expect((await browser.clone(nextIp()).get(stateless.toString())).headers.get('location')).toBe(
        errorRedirect('kakao_state_mismatch'),
      );

      // The cookie as this server would sign it, only older: its 10 minutes are up, though the browser still sends it.
      const [payload] = browser.cookie(`${api.url}${CALLBACK_PATH}`, 'modak_kakao')!.value.split('.');
      const pending = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      const signedCookie = (expiresAt: number): string =>
        sign(
          Buffer.from(JSON.stringify({ ...pending, expiresAt })).toString('base64url'),
          deriveKey('cookies', api.config.auth.jwtSecret),
        );
      const withCookie = (cookie: string) =>
        fetch(callbackUrl, {
          redirect: 'manual',
          headers: { cookie: `modak_kakao=${encodeURIComponent(cookie)}`, 'x-forwarded-for': nextIp() },
        });
      const expired = await withCookie(signedCookie(Date.now() - 1_000));
      expect(expired.headers.get('location')).toBe(errorRedirect('kakao_state_mismatch'));
      expect(await stub.requests({ path: '/oauth/token' })).toHaveLength(0);

      // The same cookie, still fresh, is taken: the refusal was the expiry's.
      const fresh = await withCookie(signedCookie(Date.now() + 60_000));
      expect(fresh.headers.get('location')).toBe(`${TEST_SPA_ORIGIN}/boards`);
    });

    it("sends another error of Kakao's back to the SPA as kakao_failed, without exchanging anything", async () => {
      const browser = newBrowser();
      const start = await browser.get(authorizeUrl());
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const refused = new URL(`${api.url}${CALLBACK_PATH}`);
      refused.search = new URLSearchParams({
        error: 'consent_required',
        error_description: 'user consent required',
        state,
      }).toString();
      const back = await browser.get(refused.toString());
      expect(back.status).toBe(302);
      expect(back.headers.get('location')).toBe(errorRedirect('kakao_failed'));
      expect(back.headers.getSetCookie().some((line) => line.startsWith('modak_rt='))).toBe(false);
      expect(browser.cookie(`${api.url}${CALLBACK_PATH}`, 'modak_kakao')).toBeUndefined();
      expect(await stub.requests({ path: '/oauth/token' })).toHaveLength(0);
    });

    it("refuses a code used twice: a copied browser's replay goes back to the SPA with kakao_failed, the original's never reaches Kakao", async () => {
      const browser = newBrowser();
      await stub.nextLogin(KAKAO_FULL_CONSENT_USER.id);
      const start = await browser.get(authorizeUrl());
      const callbackUrl = (await browser.get(start.headers.get('location')!)).headers.get('location')!;
      const copy = browser.clone(nextIp());

      expect((await browser.get(callbackUrl)).headers.get('location')).toBe(SPA);
      const replay = await copy.get(callbackUrl);
      expect(replay.headers.get('location')).toBe(errorRedirect('kakao_failed'));
      expect(replay.headers.getSetCookie().some((line) => line.startsWith('modak_rt='))).toBe(false);
      expect(await stub.requests({ path: '/oauth/token' })).toHaveLength(2);

      // The browser that signed in no longer holds the state cookie: its own replay never reaches Kakao.
      expect((await browser.get(callbackUrl)).headers.get('location')).toBe(errorRedirect('kakao_state_mismatch'));
      expect(await stub.requests({ path: '/oauth/token' })).toHaveLength(2);
    });

    it('sends a Kakao outage back to the SPA as kakao_unavailable', async () => {
      await stub.failNext({ path: '/oauth/token' });
      const { landing } = await browserSignIn(newBrowser(), KAKAO_FULL_CONSENT_USER.id);
      expect(landing).toBe(errorRedirect('kakao_unavailable'));
    });

    it('answers a callback without code or error with kakao_failed', async () => {
      const response = await newBrowser().get(`${api.url}${CALLBACK_PATH}`);
      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(errorRedirect('kakao_failed'));
    });

    it.each(['//evil.example/boards', 'https://evil.example/', '/\\evil.example', 'boards', '/a//b'])(
      'refuses to send the browser to %s after sign-in',
      async (redirect) => {
        const browser = newBrowser();
        const response = await browser.get(authorizeUrl(redirect));
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
        expect((await json(response)).errors).toEqual([expect.objectContaining({ field: 'redirect' })]);
        expect(browser.cookie(`${api.url}${CALLBACK_PATH}`, 'modak_kakao')).toBeUndefined();
      },
    );
  });

  describe('with a Kakao SDK token', () => {
    it('signs in with a token of this app, like a login', async () => {
      const kakaoUser = await addKakaoUser();
      const { accessToken } = await stub.issueToken({ userId: kakaoUser.id });
      const response = await postToken(accessToken);
      expect(response.status).toBe(200);
      const tokens = await json(response);
      expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      expect(tokens.user).toMatchObject({
        email: kakaoUser.kakao_account!.email,
        emailVerified: true,
        provider: 'kakao',
      });
      expect(response.headers.getSetCookie().find((line) => line.startsWith('modak_rt='))).toContain(
        tokens.refreshToken,
      );
      expect((await call(api, '/users/me', tokens.accessToken)).status).toBe(200);
    });

    it('knows a returning Kakao user by id: the same account, browser or SDK', async () => {
      const kakaoUser = await addKakaoUser();
      const first = await signInThroughBrowser(kakaoUser.id);
      const second = await signInThroughBrowser(kakaoUser.id);
      const { accessToken } = await stub.issueToken({ userId: kakaoUser.id });
      const third = (await json(await postToken(accessToken))).user;
      expect(second.id).toBe(first.id);
      expect(third.id).toBe(first.id);
      const rows = await query(database.primaryUrl, 'SELECT id FROM users WHERE kakao_id = $1', [kakaoUser.id]);
      expect(rows).toHaveLength(1);
    });

    it('refuses a token issued to another app, before asking who it belongs to', async () => {
      const { accessToken } = await stub.issueOtherAppToken();
      const response = await postToken(accessToken);
      expect(response.status).toBe(401);
      expect((await json(response)).code).toBe('KAKAO_REJECTED');
      expect(await stub.requests({ path: '/v2/user/me' })).toHaveLength(0);
      const rows = await query(database.primaryUrl, 'SELECT id FROM users WHERE kakao_id = $1', [
        KAKAO_OTHER_APP_USER.id,
      ]);
      expect(rows).toHaveLength(0);
    });

    it.each([
      ['an expired token', () => stub.issueExpiredToken().then((token) => token.accessToken)],
      ['an unknown token', () => Promise.resolve('not-a-kakao-token')],
    ])('refuses %s with 401 KAKAO_REJECTED', async (_what, token) => {
      const response = await postToken(await token());
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect((await json(response)).code).toBe('KAKAO_REJECTED');
    });

    it.each([{ accessToken: 'two words\n' }, { accessToken: 'x', role: 'ADMIN' }, {}])(
      'refuses the body %j with 400, without calling Kakao',
      async (body) => {
        const response = await post(api, '/auth/kakao', body, { 'x-forwarded-for': nextIp() });
        expect(response.status).toBe(400);
        expect((await json(response)).code).toBe('VALIDATION_FAILED');
        expect(await stub.requests()).toHaveLength(0);
      },
    );

    it('answers 503 KAKAO_UNAVAILABLE with Retry-After when Kakao is down', async () => {
      const { accessToken } = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.failNext({ path: '/v1/user/access_token_info' });
      const response = await postToken(accessToken);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect((await json(response)).code).toBe('KAKAO_UNAVAILABLE');
    });

    it('gives up on a Kakao that does not answer within 5 s: 503 KAKAO_UNAVAILABLE', async () => {
      const { accessToken } = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.delayNext({ ms: 12_000, path: '/v1/user/access_token_info' });
      const started = Date.now();
      const response = await postToken(accessToken);
      const waited = Date.now() - started;
      expect(response.status).toBe(503);
      expect((await json(response)).code).toBe('KAKAO_UNAVAILABLE');
      expect(waited).toBeGreaterThanOrEqual(4_900);
      expect(waited).toBeLessThan(9_000);
    }, 20_000);

    it('limits Kakao sign-ins per IP: 429 with Retry-After, and rate_limited in the browser', async () => {
      const browser = newBrowser();
      for (let attempt = 0; attempt < 5; attempt += 1) {
        expect((await postToken('not-a-kakao-token', browser.ip)).status).toBe(401);
      }
      const limited = await postToken('not-a-kakao-token', browser.ip);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      const { landing } = await browserSignIn(browser, KAKAO_FULL_CONSENT_USER.id);
      expect(landing).toBe(errorRedirect('rate_limited'));
      expect((await postToken('not-a-kakao-token')).status).toBe(401);
    });
  });

  describe('accounts', () => {
    it('links the existing account of an email Kakao says is valid and verified', async () => {
      const existing = await createUser(api);
      const kakaoUser = await addKakaoUser({ email: existing.email.toUpperCase() });
      const { accessToken } = await stub.issueToken({ userId: kakaoUser.id });
      const response = await postToken(accessToken);
      expect(response.status).toBe(200);
      expect((await json(response)).user).toMatchObject({ id: existing.id, email: existing.email, provider: 'email' });
      expect(await kakaoIdOf(existing.id)).toBe(kakaoUser.id);
      await login(api, existing);
    });

    it('is not held up by a signup waiting for that email, whose unproven password then opens nothing', async () => {
      const squatted = await createPendingSignup(api);
      const kakaoUser = await addKakaoUser({ email: squatted.email });
      const user = await signInThroughBrowser(kakaoUser.id);
      expect(user).toMatchObject({ email: squatted.email, emailVerified: true, provider: 'kakao' });
      expect(user.id).not.toBe(squatted.id);
      const password = await post(api, '/auth/login', { email: squatted.email, password: PASSWORD });
      expect(password.status).toBe(401);
      const code = await issueCode(api, squatted.email);
      const verify = await post(api, '/auth/email/verify', { email: squatted.email, code, password: PASSWORD });
      expect((await json(verify)).code).toBe('EMAIL_TAKEN');
    });

    it('never links on an email Kakao has not verified: a separate account without the email', async () => {
      const existing = await createUser(api, { email: KAKAO_EMAIL_UNVERIFIED_USER.kakao_account!.email });
      const user = await signInThroughBrowser(KAKAO_EMAIL_UNVERIFIED_USER.id);
      expect(user.id).not.toBe(existing.id);
      expect(user.email).toBeNull();
      expect(await kakaoIdOf(existing.id)).toBeNull();

      const invalid = await createUser(api);
      const kakaoUser = await addKakaoUser({ email: invalid.email, is_email_valid: false });
      const other = await signInThroughBrowser(kakaoUser.id);
      expect(other.id).not.toBe(invalid.id);
      expect(await kakaoIdOf(invalid.id)).toBeNull();
    });

    it('does not move an account already linked to another Kakao user', async () => {
      const kakaoUser = await addKakaoUser();
      const owner = await signInThroughBrowser(kakaoUser.id);
      const twin = await addKakaoUser({ email: kakaoUser.kakao_account!.email });
      const { accessToken } = await stub.issueToken({ userId: twin.id });
      const response = await postToken(accessToken);
      expect(response.status).toBe(409);
      expect((await json(response)).code).toBe('EMAIL_TAKEN');
      expect(await kakaoIdOf(owner.id)).toBe(kakaoUser.id);
    });

    it('refuses a banned user, in the browser and with a token', async () => {
      const kakaoUser = await addKakaoUser();
      const user = await signInThroughBrowser(kakaoUser.id);
      await query(database.primaryUrl, 'UPDATE users SET banned_at = now() WHERE id = $1', [user.id]);

      const { landing } = await browserSignIn(newBrowser(), kakaoUser.id);
      expect(landing).toBe(errorRedirect('account_banned'));
      const { accessToken } = await stub.issueToken({ userId: kakaoUser.id });
      const response = await postToken(accessToken);
      expect(response.status).toBe(403);
      expect((await json(response)).code).toBe('ACCOUNT_BANNED');
    });
  });

  describe('when Kakao refuses our app', () => {
    let misconfigured: TestApi;

    beforeAll(async () => {
      misconfigured = await startApiWithKakao(database, stub, { KAKAO_CLIENT_SECRET: 'not-our-secret' });
    });

    afterAll(async () => {
      await misconfigured?.close();
    });

    it('sends the browser back with kakao_unavailable (a wrong secret is our fault, not the user’s)', async () => {
      const browser = newBrowser();
      await stub.nextLogin(KAKAO_FULL_CONSENT_USER.id);
      const start = await browser.get(`${misconfigured.url}/api/v1/auth/kakao`);
      const callbackUrl = (await browser.get(start.headers.get('location')!)).headers.get('location')!;
      const back = await browser.get(callbackUrl);
      expect(back.headers.get('location')).toBe(errorRedirect('kakao_unavailable'));
      const [exchange] = await stub.requests({ path: '/oauth/token' });
      expect(exchange.form.client_secret).toBe('not-our-secret');
    });
  });

  describe('when Kakao is not configured', () => {
    let plain: TestApi;

    beforeAll(async () => {
      plain = await startApi(testApiEnv(database));
    });

    afterAll(async () => {
      await plain?.close();
    });

    it.each([
      ['GET', '/auth/kakao'],
      ['GET', `/auth/kakao/callback?code=x&state=y`],
      ['POST', '/auth/kakao'],
    ])('answers %s %s with 404 problem+json', async (method, path) => {
      const response = await fetch(`${plain.url}/api/v1${path}`, {
        method,
        redirect: 'manual',
        headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
        body: method === 'POST' ? JSON.stringify({ accessToken: 'x' }) : undefined,
      });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect(await json(response)).toMatchObject({ code: 'NOT_FOUND', detail: expect.stringMatching(/Kakao/) });
    });

    it('still documents the Kakao routes', async () => {
      const document = await json(await fetch(`${plain.url}/docs/openapi.json`));
      expect(Object.keys(document.paths)).toEqual(
        expect.arrayContaining(['/api/v1/auth/kakao', '/api/v1/auth/kakao/callback']),
      );
    });
  });
});
