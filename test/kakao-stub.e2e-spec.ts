import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createPkcePair,
  KAKAO_DEFAULT_APP,
  KAKAO_EMAIL_DECLINED_USER,
  KAKAO_FULL_CONSENT_USER,
  KAKAO_LARGE_ID_USER,
  KAKAO_NICKNAME_ONLY_USER,
  KAKAO_NO_PROFILE_USER,
  KAKAO_OTHER_APP,
  KAKAO_OTHER_APP_USER,
  KAKAO_STUB_ADMIN_KEY,
  KAKAO_UNLINK_CALLBACK_TIMEOUT_MS,
  KAKAO_WRONG_ADMIN_KEY,
  KAKAO_WRONG_CLIENT_SECRET,
  KakaoStub,
  KakaoStubClient,
  type PkcePair,
} from '@app/testing';

const REDIRECT_URI = 'http://localhost:3999/api/v1/auth/kakao/callback';
const FORM_TYPE = 'application/x-www-form-urlencoded';
const OTHER_REDIRECT_URI = 'http://localhost:3999/api/v1/auth/kakao/other-callback';
const STATE = 'csrf-state-1';

interface TokenBody {
  token_type: string;
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  scope?: string;
}

interface TokenErrorBody {
  error: string;
  error_description: string;
  error_code: string;
}

describe(KakaoStub.name, () => {
  let stub: KakaoStub;

  beforeAll(async () => {
    stub = await KakaoStub.start({ redirectUris: [REDIRECT_URI] });
    await stub.registerRedirectUri(OTHER_REDIRECT_URI);
  });

  afterAll(async () => {
    await stub.stop();
  });

  beforeEach(async () => {
    await stub.reset();
  });

  const authorizeUrl = (params: Record<string, string | undefined> = {}): string => {
    const query = new URLSearchParams();
    const all = {
      response_type: 'code',
      client_id: KAKAO_DEFAULT_APP.clientId,
      redirect_uri: REDIRECT_URI,
      state: STATE,
      ...params,
    };
    for (const [name, value] of Object.entries(all)) if (value !== undefined) query.set(name, value);
    return `${stub.url}/oauth/authorize?${query.toString()}`;
  };

  const authorize = (params: Record<string, string | undefined> = {}): Promise<Response> =>
    fetch(authorizeUrl(params), { redirect: 'manual' });

  /** Logs `userId` in through `/oauth/authorize` with PKCE and returns the code and the verifier. */
  const login = async (userId: string, params: Record<string, string> = {}): Promise<{ code: string } & PkcePair> => {
    const pkce = createPkcePair();
    await stub.nextLogin(userId);
    const response = await authorize({ code_challenge: pkce.challenge, code_challenge_method: 'S256', ...params });
    expect(response.status).toBe(302);
    const code = new URL(response.headers.get('location') ?? '').searchParams.get('code');
    expect(code).toBeTruthy();
    return { code: code ?? '', ...pkce };
  };

  const postToken = (fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${stub.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8', ...headers },
      body: new URLSearchParams(fields).toString(),
    });

  const codeGrant = (
    code: string,
    verifier: string,
    overrides: Record<string, string> = {},
  ): Record<string, string> => ({
    grant_type: 'authorization_code',
    client_id: KAKAO_DEFAULT_APP.clientId,
    redirect_uri: REDIRECT_URI,
    code,
    client_secret: KAKAO_DEFAULT_APP.clientSecret ?? '',
    code_verifier: verifier,
    ...overrides,
  });

  const withBearer = (path: string, accessToken: string, method = 'GET'): Promise<Response> =>
    fetch(`${stub.url}${path}`, { method, headers: { authorization: `Bearer ${accessToken}` } });

  /** `POST /v1/user/unlink` as a service does it with the admin key: the target in a form body. */
  const adminUnlink = (
    targetId: string,
    authorization: string | null = `KakaoAK ${KAKAO_STUB_ADMIN_KEY}`,
    body = `target_id_type=user_id&target_id=${targetId}`,
  ): Promise<Response> =>
    fetch(`${stub.url}/v1/user/unlink`, {
      method: 'POST',
      headers: { 'content-type': FORM_TYPE, ...(authorization === null ? {} : { authorization }) },
      body,
    });

  const expectApiError = async (response: Response, status: number, body: { msg?: string; code: number }) => {
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject(body);
  };

  const expectTokenError = async (response: Response, status: number, error: string, errorCode: string) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as TokenErrorBody;
    expect(body).toMatchObject({ error, error_code: errorCode });
    expect(typeof body.error_description).toBe('string');
    return body;
  };

  describe('the authorization code flow', () => {
    it('runs authorize, token (PKCE) and user/me, writing the 19-digit id as a raw integer', async () => {
      const { code, verifier } = await login(KAKAO_LARGE_ID_USER.id);

      const tokenResponse = await postToken(codeGrant(code, verifier));
      expect(tokenResponse.status).toBe(200);
      const token = (await tokenResponse.json()) as TokenBody;
      expect(token).toMatchObject({
        token_type: 'bearer',
        expires_in: 21599,
        refresh_token_expires_in: 5183999,
        scope: 'account_email profile_nickname',
      });
      expect(token.access_token).toEqual(expect.any(String));
      expect(token.refresh_token).toEqual(expect.any(String));

      const me = await withBearer('/v2/user/me', token.access_token);
      expect(me.status).toBe(200);
      const text = await me.text();
      expect(text).toMatch(/^\{"id":1376016924429759243,"connected_at":"/);
      expect(JSON.parse(text)).toMatchObject({
        kakao_account: { email: KAKAO_LARGE_ID_USER.kakao_account?.email, is_email_verified: true },
      });
    });

    it('redirects back with the code and the state', async () => {
      await stub.nextLogin(KAKAO_FULL_CONSENT_USER.id);
      const response = await authorize({ code_challenge: createPkcePair().challenge, code_challenge_method: 'S256' });

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toMatch(
        new RegExp(`^${REDIRECT_URI.replace(/[.?]/g, '\\$&')}\\?code=[\\w-]+&state=${STATE}$`),
      );
    });

    it('records the secret and the PKCE verifier in the token request body', async () => {
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);
      await postToken(codeGrant(code, verifier));

      const [request] = await stub.requests({ path: '/oauth/token' });
      expect(request.form).toMatchObject({
        client_secret: KAKAO_DEFAULT_APP.clientSecret,
        code_verifier: verifier,
        grant_type: 'authorization_code',
      });
      expect(request.headers.authorization).toBeUndefined();
    });

    it('rejects a code_verifier that does not match the challenge', async () => {
      const { code } = await login(KAKAO_FULL_CONSENT_USER.id);

      await expectTokenError(
        await postToken(codeGrant(code, createPkcePair().verifier)),
        400,
        'invalid_grant',
        'KOE320',
      );
    });

    it('answers KOE320 to a reused code', async () => {
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);
      expect((await postToken(codeGrant(code, verifier))).status).toBe(200);

      const body = await expectTokenError(await postToken(codeGrant(code, verifier)), 400, 'invalid_grant', 'KOE320');
      expect(body.error_description).toBe(`authorization code not found for code=${code}`);
    });

    it('answers KOE320 to a code issued already consumed, and to an expired code', async () => {
      const pkce = createPkcePair();
      const consumed = await stub.issueConsumedCode({ redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge });
      await expectTokenError(await postToken(codeGrant(consumed, pkce.verifier)), 400, 'invalid_grant', 'KOE320');

      const stale = await stub.issueCode({ redirectUri: REDIRECT_URI, codeChallenge: pkce.challenge });
      await stub.advanceTime(601);
      await expectTokenError(await postToken(codeGrant(stale, pkce.verifier)), 400, 'invalid_grant', 'KOE320');
    });

    it('answers KOE010 to a wrong or missing client secret', async () => {
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);

      const wrong = codeGrant(code, verifier, { client_secret: KAKAO_WRONG_CLIENT_SECRET });
      const body = await expectTokenError(await postToken(wrong), 401, 'invalid_client', 'KOE010');
      expect(body.error_description).toBe('Bad client credentials');
      const missing = codeGrant(code, verifier);
      delete missing.client_secret;
      await expectTokenError(await postToken(missing), 401, 'invalid_client', 'KOE010');
    });

    it('refuses a client secret sent with HTTP Basic instead of in the body', async () => {
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);
      const { client_secret: secret, ...withoutSecret } = codeGrant(code, verifier);
      const basic = Buffer.from(`${KAKAO_DEFAULT_APP.clientId}:${secret}`).toString('base64');

      await expectTokenError(
        await postToken(withoutSecret, { authorization: `Basic ${basic}` }),
        401,
        'invalid_client',
        'KOE010',
      );
    });

    it('answers KOE303 when the token redirect URI differs from the authorize one', async () => {
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);

      const body = await expectTokenError(
        await postToken(codeGrant(code, verifier, { redirect_uri: OTHER_REDIRECT_URI })),
        400,
        'invalid_grant',
        'KOE303',
      );
      expect(body.error_description).toBe('Redirect URI mismatch.');
    });

    it('answers KOE101 to an unknown client at the token endpoint', async () => {
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);

      const body = await expectTokenError(
        await postToken(codeGrant(code, verifier, { client_id: 'no-such-app' })),
        401,
        'invalid_client',
        'KOE101',
      );
      expect(body.error_description).toBe('Not exist client_id [no-such-app]');
    });

    it('answers KOE237 while the token endpoint is rate limited, then recovers', async () => {
      await stub.rateLimitNext();
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);

      await expectTokenError(await postToken(codeGrant(code, verifier)), 429, 'invalid_request', 'KOE237');
      const again = await login(KAKAO_FULL_CONSENT_USER.id);
      expect((await postToken(codeGrant(again.code, again.verifier))).status).toBe(200);
    });

    it('refreshes an access token with the refresh token grant', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });

      const response = await postToken({
        grant_type: 'refresh_token',
        client_id: KAKAO_DEFAULT_APP.clientId,
        client_secret: KAKAO_DEFAULT_APP.clientSecret ?? '',
        refresh_token: issued.refreshToken,
      });
      expect(response.status).toBe(200);
      const token = (await response.json()) as TokenBody;
      expect(token).toMatchObject({ token_type: 'bearer', expires_in: 21599 });
      expect(token.refresh_token).toBeUndefined();
      expect((await withBearer('/v2/user/me', token.access_token)).status).toBe(200);

      const unknown = await postToken({
        grant_type: 'refresh_token',
        client_id: KAKAO_DEFAULT_APP.clientId,
        client_secret: KAKAO_DEFAULT_APP.clientSecret ?? '',
        refresh_token: 'no-such-refresh-token',
      });
      await expectTokenError(unknown, 400, 'invalid_grant', 'KOE322');
    });
  });

  describe('the authorize page', () => {
    it('shows a KOE101 error page, without redirecting, for an unknown client', async () => {
      const response = await authorize({ client_id: 'no-such-app' });

      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('KOE101');
    });

    it('shows a KOE006 error page, without redirecting, for an unregistered redirect URI', async () => {
      const response = await authorize({ redirect_uri: 'https://evil.example/callback' });

      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(await response.text()).toContain('KOE006');
    });

    it('redirects a cancelled login with access_denied and the state', async () => {
      await stub.denyNextLogin();

      const response = await authorize();

      expect(response.status).toBe(302);
      expect(response.headers.get('location')).toBe(
        `${REDIRECT_URI}?error=access_denied&error_description=User%20denied%20access&state=${STATE}`,
      );
    });

    it('answers consent_required to prompt=none until the user connects, and again after unlink', async () => {
      const silent = async (): Promise<URLSearchParams> => {
        await stub.nextLogin(KAKAO_NICKNAME_ONLY_USER.id);
        const response = await authorize({ prompt: 'none' });
        return new URL(response.headers.get('location') ?? '').searchParams;
      };
      expect((await silent()).get('error')).toBe('consent_required');

      const { code, verifier } = await login(KAKAO_NICKNAME_ONLY_USER.id);
      const token = (await (await postToken(codeGrant(code, verifier))).json()) as TokenBody;
      expect((await silent()).get('code')).toBeTruthy();

      const unlinked = await withBearer('/v1/user/unlink', token.access_token, 'POST');
      expect(await unlinked.text()).toBe(`{"id":${KAKAO_NICKNAME_ONLY_USER.id}}`);
      expect(await stub.isConnected(KAKAO_NICKNAME_ONLY_USER.id)).toBe(false);
      expect((await silent()).get('error')).toBe('consent_required');
    });
  });

  describe('the user API', () => {
    it('leaves out what the user did not consent to', async () => {
      const declined = await stub.issueToken({ userId: KAKAO_EMAIL_DECLINED_USER.id });
      const declinedMe = (await (await withBearer('/v2/user/me', declined.accessToken)).json()) as {
        kakao_account: Record<string, unknown>;
      };
      expect(declinedMe.kakao_account.email_needs_agreement).toBe(true);
      expect(declinedMe.kakao_account).not.toHaveProperty('email');

      const bare = await stub.issueToken({ userId: KAKAO_NO_PROFILE_USER.id });
      const bareMe = (await (await withBearer('/v2/user/me', bare.accessToken)).json()) as Record<string, unknown>;
      expect(bareMe).not.toHaveProperty('properties');
      expect(bareMe.kakao_account).not.toHaveProperty('profile');
    });

    it('reports the other app id in the token info of another app token', async () => {
      const issued = await stub.issueOtherAppToken();

      const response = await withBearer('/v1/user/access_token_info', issued.accessToken);

      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(
        new RegExp(`^\\{"id":${KAKAO_OTHER_APP_USER.id},"expires_in":2159\\d,"app_id":${KAKAO_OTHER_APP.appId}\\}$`),
      );
    });

    it('writes a raw 64-bit id in the token info', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_LARGE_ID_USER.id });

      const text = await (await withBearer('/v1/user/access_token_info', issued.accessToken)).text();

      expect(text).toMatch(/^\{"id":1376016924429759243,"expires_in":\d+,"app_id":1234\}$/);
    });

    it('answers 401 "already expired" to an expired token and "does not exist" to an unknown one', async () => {
      const expired = await stub.issueExpiredToken();

      const expiredResponse = await withBearer('/v2/user/me', expired.accessToken);
      expect(expiredResponse.status).toBe(401);
      expect(expiredResponse.headers.get('www-authenticate')).toBe('Bearer error=invalid_token');
      expect(await expiredResponse.json()).toEqual({ msg: 'this access token is already expired', code: -401 });

      const unknownResponse = await withBearer('/v1/user/access_token_info', 'no-such-token');
      expect(unknownResponse.status).toBe(401);
      expect(await unknownResponse.json()).toEqual({ msg: 'this access token does not exist', code: -401 });
    });

    it('expires a token when its lifetime has passed', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.advanceTime(21_600);

      const response = await withBearer('/v2/user/me', issued.accessToken);

      expect(await response.json()).toEqual({ msg: 'this access token is already expired', code: -401 });
    });

    it('logout answers the id and invalidates the token', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });

      const response = await withBearer('/v1/user/logout', issued.accessToken, 'POST');

      expect(response.status).toBe(200);
      expect(await response.text()).toBe(`{"id":${KAKAO_FULL_CONSENT_USER.id}}`);
      const after = await withBearer('/v2/user/me', issued.accessToken);
      expect(after.status).toBe(401);
      expect(await after.json()).toEqual({ msg: 'this access token does not exist', code: -401 });
    });
  });

  describe('unlink', () => {
    it('unlinks with the admin key and the target in the form, writing the 19-digit id raw', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_LARGE_ID_USER.id });

      const response = await adminUnlink(KAKAO_LARGE_ID_USER.id);

      expect(response.status).toBe(200);
      expect(await response.text()).toBe('{"id":1376016924429759243}');
      expect(await stub.isConnected(KAKAO_LARGE_ID_USER.id)).toBe(false);
      expect(await stub.unlinks()).toEqual([{ userId: KAKAO_LARGE_ID_USER.id, by: 'admin-key' }]);
      await expectApiError(await withBearer('/v2/user/me', issued.accessToken), 401, {
        msg: 'this access token does not exist',
        code: -401,
      });
    });

    it("unlinks with the user's own token, which then stops working, and refuses a second unlink", async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });

      const response = await withBearer('/v1/user/unlink', issued.accessToken, 'POST');

      expect(response.status).toBe(200);
      expect(await response.text()).toBe(`{"id":${KAKAO_FULL_CONSENT_USER.id}}`);
      expect(await stub.unlinks()).toEqual([{ userId: KAKAO_FULL_CONSENT_USER.id, by: 'user-token' }]);
      const again = await withBearer('/v1/user/unlink', issued.accessToken, 'POST');
      await expectApiError(again, 401, { msg: 'this access token does not exist', code: -401 });
      await expectApiError(await withBearer('/v1/user/access_token_info', issued.accessToken), 401, { code: -401 });
      await expectApiError(await adminUnlink(KAKAO_FULL_CONSENT_USER.id), 400, {
        msg: 'NotRegisteredUserException',
        code: -101,
      });
      expect(await stub.unlinks()).toHaveLength(1);
    });

    it('refuses a wrong, missing or miscased admin key with 401 (-401) and unlinks no one', async () => {
      await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      const target = KAKAO_FULL_CONSENT_USER.id;

      await expectApiError(await adminUnlink(target, `KakaoAK ${KAKAO_WRONG_ADMIN_KEY}`), 401, {
        msg: 'wrong admin key',
        code: -401,
      });
      const noKey = { msg: 'no authentication key!', code: -401 };
      await expectApiError(await adminUnlink(target, null), 401, noKey);
      await expectApiError(await adminUnlink(target, `kakaoAK ${KAKAO_STUB_ADMIN_KEY}`), 401, noKey);

      expect(await stub.isConnected(target)).toBe(true);
      expect(await stub.unlinks()).toEqual([]);
    });

    it('answers -101 to an unknown or never connected user and -2 to bad parameters', async () => {
      await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      const key = `KakaoAK ${KAKAO_STUB_ADMIN_KEY}`;
      const notLinked = { msg: 'NotRegisteredUserException', code: -101 };

      await expectApiError(await adminUnlink('999999999'), 400, notLinked);
      await expectApiError(await adminUnlink(KAKAO_NICKNAME_ONLY_USER.id), 400, notLinked);
      const target = KAKAO_FULL_CONSENT_USER.id;
      await expectApiError(await adminUnlink(target, key, `target_id_type=app_user_id&target_id=${target}`), 400, {
        code: -2,
      });
      await expectApiError(await adminUnlink(target, key, 'target_id_type=user_id&target_id=12ab'), 400, { code: -2 });
      await expectApiError(await adminUnlink(target, key, 'target_id_type=user_id'), 400, { code: -2 });
      const asJson = await fetch(`${stub.url}/v1/user/unlink`, {
        method: 'POST',
        headers: { authorization: key, 'content-type': 'application/json' },
        body: JSON.stringify({ target_id_type: 'user_id', target_id: target }),
      });
      await expectApiError(asJson, 400, { code: -2 });

      expect(await stub.isConnected(target)).toBe(true);
    });

    it('fails the next unlinks with failUnlinks, leaving other paths alone, then unlinks on the retry', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.failUnlinks(2);

      await expectApiError(await adminUnlink(KAKAO_FULL_CONSENT_USER.id), 503, { code: -9798 });
      expect((await withBearer('/v2/user/me', issued.accessToken)).status).toBe(200);
      expect((await adminUnlink(KAKAO_FULL_CONSENT_USER.id)).status).toBe(503);
      expect(await stub.isConnected(KAKAO_FULL_CONSENT_USER.id)).toBe(true);
      expect(await stub.unlinks()).toEqual([]);

      expect((await adminUnlink(KAKAO_FULL_CONSENT_USER.id)).status).toBe(200);
      expect(await stub.unlinks()).toEqual([{ userId: KAKAO_FULL_CONSENT_USER.id, by: 'admin-key' }]);
      expect(await stub.requests({ path: '/v1/user/unlink' })).toHaveLength(3);
    });

    it('drive failUnlinks and unlinks over HTTP through KakaoStubClient', async () => {
      const client = new KakaoStubClient(stub.url);
      await stub.issueToken({ userId: KAKAO_LARGE_ID_USER.id });
      await client.failUnlinks(1, 500);

      expect((await adminUnlink(KAKAO_LARGE_ID_USER.id)).status).toBe(500);
      expect(await client.unlinks()).toEqual([]);
      expect((await adminUnlink(KAKAO_LARGE_ID_USER.id)).status).toBe(200);
      expect(await client.unlinks()).toEqual([{ userId: '1376016924429759243', by: 'admin-key' }]);
      await expect(client.failUnlinks(1, 404 as 500)).rejects.toThrow('status must be 500 or 503');
      await expect(client.failUnlinks(0)).rejects.toThrow('count must be an integer >= 1');
    });
  });

  describe('the unlink callback', () => {
    interface Delivery {
      method: string;
      url: string;
      authorization?: string;
      contentType?: string;
      body: string;
    }

    /** What the service under test received, oldest first. */
    const deliveries: Delivery[] = [];
    /** How the service under test answers; answering nothing plays a service too slow for Kakao. */
    let answer: (response: ServerResponse) => void;
    let receiver: Server;
    let callbackUrl: string;

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        let body = '';
        request.setEncoding('utf8');
        request.on('data', (chunk: string) => (body += chunk));
        request.on('end', () => {
          deliveries.push({
            method: request.method ?? '',
            url: request.url ?? '',
            authorization: request.headers.authorization,
            contentType: request.headers['content-type'],
            body,
          });
          answer(response);
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kakao/unlink`;
    });

    afterAll(async () => {
      receiver.closeAllConnections();
      await new Promise((resolve) => receiver.close(resolve));
    });

    beforeEach(() => {
      deliveries.length = 0;
      answer = (response) => response.writeHead(200).end();
    });

    it("POSTs the parameters as a form with the app's admin key, having unlinked the user in the stub", async () => {
      const issued = await stub.issueToken({ userId: KAKAO_LARGE_ID_USER.id });

      const result = await stub.fireUnlinkCallback({
        url: callbackUrl,
        userId: KAKAO_LARGE_ID_USER.id,
        referrerType: 'UNLINK_FROM_APPS',
      });

      expect(result).toEqual({ status: 200 });
      expect(deliveries).toEqual([
        {
          method: 'POST',
          url: '/kakao/unlink',
          authorization: `KakaoAK ${KAKAO_STUB_ADMIN_KEY}`,
          contentType: expect.stringMatching(/^application\/x-www-form-urlencoded\b/) as unknown,
          body: 'app_id=1234&user_id=1376016924429759243&referrer_type=UNLINK_FROM_APPS',
        },
      ]);
      expect(await stub.isConnected(KAKAO_LARGE_ID_USER.id)).toBe(false);
      expect((await withBearer('/v2/user/me', issued.accessToken)).status).toBe(401);
      expect(await stub.unlinks()).toEqual([]);
    });

    it('sends GET parameters in the query string, through KakaoStubClient, and reports the status', async () => {
      const client = new KakaoStubClient(stub.url);
      answer = (response) => response.writeHead(204).end();

      const result = await client.fireUnlinkCallback({
        url: `${callbackUrl}?source=kakao`,
        method: 'GET',
        userId: KAKAO_FULL_CONSENT_USER.id,
        referrerType: 'ACCOUNT_DELETE',
      });

      expect(result).toEqual({ status: 204 });
      expect(deliveries).toEqual([
        {
          method: 'GET',
          url: `/kakao/unlink?source=kakao&app_id=1234&user_id=${KAKAO_FULL_CONSENT_USER.id}&referrer_type=ACCOUNT_DELETE`,
          authorization: `KakaoAK ${KAKAO_STUB_ADMIN_KEY}`,
          body: '',
        },
      ]);
    });

    it('sends a forged admin key and app id as told, leaving the link in the stub alone', async () => {
      await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      answer = (response) => response.writeHead(401).end();

      const result = await stub.fireUnlinkCallback({
        url: callbackUrl,
        userId: KAKAO_FULL_CONSENT_USER.id,
        referrerType: 'FORCED_ACCOUNT_DELETE',
        adminKey: KAKAO_WRONG_ADMIN_KEY,
        appId: KAKAO_OTHER_APP.appId,
      });

      expect(result).toEqual({ status: 401 });
      expect(deliveries[0].authorization).toBe(`KakaoAK ${KAKAO_WRONG_ADMIN_KEY}`);
      expect(new URLSearchParams(deliveries[0].body).get('app_id')).toBe(String(KAKAO_OTHER_APP.appId));
      expect(await stub.isConnected(KAKAO_FULL_CONSENT_USER.id)).toBe(true);
    });

    it('reports a redirect without following it', async () => {
      answer = (response) => response.writeHead(302, { location: `${callbackUrl}/elsewhere` }).end();

      const result = await stub.fireUnlinkCallback({
        url: callbackUrl,
        userId: KAKAO_FULL_CONSENT_USER.id,
        referrerType: 'UNLINK_FROM_ADMIN',
      });

      expect(result).toEqual({ status: 302 });
      expect(deliveries).toHaveLength(1);
    });

    it('gives up on a service that does not answer within 3 s', async () => {
      answer = () => undefined;

      const started = Date.now();
      const result = await new KakaoStubClient(stub.url).fireUnlinkCallback({
        url: callbackUrl,
        userId: KAKAO_FULL_CONSENT_USER.id,
        referrerType: 'UNLINK_FROM_APPS',
      });

      expect(result).toEqual({ status: 0, error: `no answer within ${KAKAO_UNLINK_CALLBACK_TIMEOUT_MS} ms` });
      expect(Date.now() - started).toBeGreaterThanOrEqual(KAKAO_UNLINK_CALLBACK_TIMEOUT_MS - 50);
      expect(Date.now() - started).toBeLessThan(KAKAO_UNLINK_CALLBACK_TIMEOUT_MS + 1_500);
    });

    it('refuses a callback it cannot send as Kakao would', async () => {
      const client = new KakaoStubClient(stub.url);
      const callback = {
        url: callbackUrl,
        userId: KAKAO_FULL_CONSENT_USER.id,
        referrerType: 'UNLINK_FROM_APPS',
      } as const;

      await expect(
        client.fireUnlinkCallback({ ...callback, referrerType: 'BOGUS' as 'UNLINK_FROM_APPS' }),
      ).rejects.toThrow('referrerType must be one of');
      await expect(client.fireUnlinkCallback({ ...callback, url: '/kakao/unlink' })).rejects.toThrow(
        'url must be an absolute http(s) URL',
      );
      await expect(client.fireUnlinkCallback({ ...callback, method: 'PUT' as 'POST' })).rejects.toThrow(
        'method must be GET or POST',
      );
      expect(deliveries).toEqual([]);
    });
  });

  describe('the fault controls', () => {
    it('fails the next requests with 503 while "Kakao is down", then recovers', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.failNext({ count: 2 });

      expect((await withBearer('/v2/user/me', issued.accessToken)).status).toBe(503);
      expect((await withBearer('/v1/user/access_token_info', issued.accessToken)).status).toBe(503);
      expect((await withBearer('/v2/user/me', issued.accessToken)).status).toBe(200);
    });

    it('fails only the path it is told to', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.failNext({ path: '/oauth/token', status: 500 });

      expect((await withBearer('/v2/user/me', issued.accessToken)).status).toBe(200);
      const { code, verifier } = await login(KAKAO_FULL_CONSENT_USER.id);
      expect((await postToken(codeGrant(code, verifier))).status).toBe(500);
    });

    it('slows the next request down past a client timeout, then answers at once again', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.delayNext({ ms: 2_000 });

      const started = Date.now();
      await expect(
        fetch(`${stub.url}/v2/user/me`, {
          headers: { authorization: `Bearer ${issued.accessToken}` },
          signal: AbortSignal.timeout(200),
        }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(Date.now() - started).toBeLessThan(1_500);

      const response = await withBearer('/v2/user/me', issued.accessToken);
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it('answers a slowed request once the delay has passed', async () => {
      const issued = await stub.issueToken({ userId: KAKAO_FULL_CONSENT_USER.id });
      await stub.delayNext({ ms: 300 });

      const started = Date.now();
      const response = await withBearer('/v2/user/me', issued.accessToken);

      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    });

    it('stops at once even while a request is being delayed', async () => {
      const own = await KakaoStub.start();
      await own.delayNext({ ms: 20_000 });
      const pending = fetch(`${own.url}/v2/user/me`).then(
        (response) => response.status,
        () => 'dropped',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));

      const started = Date.now();
      await own.stop();

      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await pending).toBe('dropped');
    });
  });

  describe('the /__stub/ control paths', () => {
    it('drive the same stub over HTTP through KakaoStubClient', async () => {
      const client = new KakaoStubClient(stub.url);
      await client.nextLogin(KAKAO_LARGE_ID_USER.id);
      const pkce = createPkcePair();

      const redirect = await authorize({ code_challenge: pkce.challenge, code_challenge_method: 'S256' });
      const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
      const token = (await (await postToken(codeGrant(code, pkce.verifier))).json()) as TokenBody;

      const me = await withBearer('/v2/user/me', token.access_token);
      expect(await me.text()).toMatch(/^\{"id":1376016924429759243,/);
      expect(await client.isConnected(KAKAO_LARGE_ID_USER.id)).toBe(true);
      const logged = await client.requests({ path: '/oauth/token' });
      expect(logged).toHaveLength(1);
      expect(logged[0].form.code_verifier).toBe(pkce.verifier);

      const issued = await client.issueOtherAppToken();
      expect(issued).toMatchObject({ appId: KAKAO_OTHER_APP.appId, userId: KAKAO_OTHER_APP_USER.id });
      await expect(client.nextLogin('999')).rejects.toThrow('Unknown user: 999');
    });

    it('answer 400 with the reason to a malformed control call', async () => {
      const response = await fetch(`${stub.url}/__stub/delay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ms: 'slow' }),
      });

      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: 'ms must be a number' });
    });
  });
});
