import { Role } from '@app/core';
import { createTestDatabase } from '@app/testing';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApi, TEST_SPA_ORIGIN, testApiEnv, type TestApi } from '../support/api.js';
import { call, createUser, login, refresh, type TestUser, type Tokens } from '../support/auth.js';
import { json } from '../support/http.js';
import { base64url, TokenForge } from '../support/tokens.js';
import { problemFault } from './support/problem.js';

/**
 * Attacks on the tokens (RFC 8725, SECURITY.md "Access tokens"): every forged, altered, misplaced or stale token
 * answers 401 problem+json, never 200, 403 or 500; refresh tokens are single use and their reuse ends the login.
 */
describe('token attacks', () => {
  let api: TestApi;
  let user: TestUser;
  let tokens: Tokens;
  let forge: TokenForge;
  let otherUser: TestUser;
  /** Where jku and x5u headers point: the api must never call it. */
  let keyServer: Server;
  let keyServerUrl: string;
  let keyServerHits = 0;
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const attackerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attackerSecret = randomBytes(32).toString('base64url');

  beforeAll(async () => {
    keyServer = createServer((_request, response) => {
      keyServerHits += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [attacker.publicKey.export({ format: 'jwk' })] }));
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    keyServerUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
    api = await startApi(testApiEnv(await createTestDatabase()));
    user = await createUser(api);
    otherUser = await createUser(api);
    tokens = await login(api, user);
    forge = TokenForge.of(api, tokens.accessToken);
  });

  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => keyServer?.close(resolve));
  });

  const me = (token: string) => call(api, '/users/me', token);
  const expectRefused = async (response: Response) => {
    const text = await response.text();
    expect({ status: response.status, body: text.slice(0, 200) }).toMatchObject({ status: 401 });
    expect(problemFault(response, text)).toBeUndefined();
    return JSON.parse(text) as { code: string };
  };
  const segment = (index: number) => (token: string) => token.split('.')[index];
  const [header, payload, signature] = [segment(0), segment(1), segment(2)];
  const decoded = (token: string) => jwt.decode(token) as Record<string, unknown>;
  const attackerJwk = () => attacker.publicKey.export({ format: 'jwk' });

  it('accepts a token forged with every claim right and our key (so the attacks below fail for their flaw)', async () => {
    expect((await me(forge.sign())).status).toBe(200);
    expect((await me(forge.raw({ alg: 'HS256', typ: 'at+jwt' }, forge.claims()))).status).toBe(200);
    expect((await me(tokens.accessToken)).status).toBe(200);
  });

  const attacks: [name: string, make: () => string, path?: string][] = [
    // Unsigned and stripped.
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, () => string] => [
      `alg "${alg}", unsigned`,
      () => forge.raw({ alg, typ: 'at+jwt' }, forge.claims(), null),
    ]),
    [
      'alg "none" keeping a real signature',
      () =>
        `${base64url({ alg: 'none', typ: 'at+jwt' })}.${payload(tokens.accessToken)}.${signature(tokens.accessToken)}`,
    ],
    ['the signature stripped', () => `${header(tokens.accessToken)}.${payload(tokens.accessToken)}.`],
    ['an empty signature segment and header', () => `.${payload(tokens.accessToken)}.`],
    // Tampered payloads under the original signature.
    [
      'role raised to ADMIN under the original signature',
      () =>
        `${header(tokens.accessToken)}.${base64url({ ...decoded(tokens.accessToken), role: Role.Admin })}.${signature(tokens.accessToken)}`,
      '/admin/users',
    ],
    [
      'sub switched to another user under the original signature',
      () =>
        `${header(tokens.accessToken)}.${base64url({ ...decoded(tokens.accessToken), sub: otherUser.id })}.${signature(tokens.accessToken)}`,
    ],
    [
      'exp extended under the original signature',
      () =>
        `${header(tokens.accessToken)}.${base64url({ ...decoded(tokens.accessToken), exp: forge.now() + 86_400 })}.${signature(tokens.accessToken)}`,
    ],
    // Keys and algorithms that are not ours.
    ['signed with another secret', () => forge.sign({}, { key: attackerSecret })],
    ['signed with an empty secret', () => forge.raw({ alg: 'HS256', typ: 'at+jwt' }, forge.claims(), '')],
    ['signed RS256 with an attacker key', () => forge.sign({}, { key: attacker.privateKey, algorithm: 'RS256' })],
    ['signed ES256 with an attacker key', () => forge.sign({}, { key: attackerEc.privateKey, algorithm: 'ES256' })],
    [
      'HS256 keyed with an RSA public key (HS/RS confusion)',
      () =>
        forge.raw(
          { alg: 'HS256', typ: 'at+jwt' },
          forge.claims(),
          attacker.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        ),
    ],
    [
      'an RS256 header over an HMAC of our secret (RS/HS confusion)',
      () => forge.raw({ alg: 'RS256', typ: 'at+jwt' }, forge.claims()),
    ],
    ['HS512 with our secret (not the pinned algorithm)', () => forge.sign({}, { algorithm: 'HS512' })],
    ['HS384 with our secret', () => forge.sign({}, { algorithm: 'HS384' })],
    // Keys offered by the token itself, and keys to fetch.
    [
      'an embedded jwk of the attacker, RS256',
      () => forge.sign({}, { key: attacker.privateKey, algorithm: 'RS256', header: { jwk: attackerJwk() } }),
    ],
    [
      'an embedded symmetric jwk, HS256 signed with it',
      () => forge.sign({}, { key: attackerSecret, header: { jwk: { kty: 'oct', k: base64url(attackerSecret) } } }),
    ],
    [
      'a jku naming the attacker key set',
      () =>
        forge.sign({}, { key: attacker.privateKey, algorithm: 'RS256', header: { jku: `${keyServerUrl}/jwks.json` } }),
    ],
    [
      'an x5u naming the attacker certificate',
      () =>
        forge.sign({}, { key: attacker.privateKey, algorithm: 'RS256', header: { x5u: `${keyServerUrl}/cert.pem` } }),
    ],
    [
      'an x5c chain',
      () => forge.sign({}, { key: attacker.privateKey, algorithm: 'RS256', header: { x5c: ['MIIBIjAN'] } }),
    ],
    [
      'jku and jwk on a token signed with our own key',
      () => forge.sign({}, { header: { jku: `${keyServerUrl}/jwks.json`, jwk: attackerJwk() } }),
    ],
    // kid injection, signed with what each trick would make the key.
    [
      'kid ../../dev/null, signed with an empty key',
      () => forge.raw({ alg: 'HS256', typ: 'at+jwt', kid: '../../../../../../dev/null' }, forge.claims(), ''),
    ],
    ["kid ' OR '1'='1, signed with our key", () => forge.sign({}, { header: { kid: "' OR '1'='1" } })],
    [
      "kid ' UNION SELECT 'x, signed with x",
      () => forge.raw({ alg: 'HS256', typ: 'at+jwt', kid: "' UNION SELECT 'x" }, forge.claims(), 'x'),
    ],
    ['kid |id (command injection), signed with our key', () => forge.sign({}, { header: { kid: '|id' } })],
    ['a crit header we do not understand', () => forge.sign({}, { header: { crit: ['b64'], b64: false } })],
    // Time.
    ['expired beyond the 60 s leeway', () => forge.sign({ iat: forge.now() - 900, exp: forge.now() - 90 })],
    ['not valid before 10 minutes from now (nbf)', () => forge.sign({ nbf: forge.now() + 600 })],
    ['issued 5 minutes in the future (iat)', () => forge.sign({ iat: forge.now() + 300, exp: forge.now() + 900 })],
    ['no exp', () => forge.sign({ exp: undefined })],
    ['no iat', () => forge.raw({ alg: 'HS256', typ: 'at+jwt' }, forge.claims({ iat: undefined }))],
    [
      'an exp that is not a number',
      () => forge.raw({ alg: 'HS256', typ: 'at+jwt' }, forge.claims({ exp: String(forge.now() + 600) })),
    ],
    ['a lifetime of an hour (above 15 minutes)', () => forge.sign({ iat: forge.now(), exp: forge.now() + 3600 })],
    ['issued an hour ago, still unexpired', () => forge.sign({ iat: forge.now() - 3600, exp: forge.now() + 300 })],
    // Issuer, audience, type and the other claims.
    ['another issuer', () => forge.sign({ iss: 'https://evil.example' })],
    ['no issuer', () => forge.sign({ iss: undefined })],
    ['another audience', () => forge.sign({ aud: 'another-app' })],
    ['no audience', () => forge.sign({ aud: undefined })],
    ['typ JWT (not an access token)', () => forge.sign({}, { header: { typ: 'JWT' } })],
    ['no typ', () => forge.sign({}, { header: { typ: undefined } })],
    ['typ refresh+jwt', () => forge.sign({}, { header: { typ: 'refresh+jwt' } })],
    ['no sub', () => forge.sign({ sub: undefined })],
    ['a sub that is not a user id', () => forge.sign({ sub: "' OR '1'='1" })],
    ['no sid', () => forge.sign({ sid: undefined })],
    ['the sid of no session', () => forge.sign({ sid: randomUUID() })],
    ['no jti', () => forge.sign({ jti: undefined })],
    ['a role that does not exist', () => forge.sign({ role: 'SUPERUSER' })],
    // Other tokens and malformed ones.
    ['a refresh token', () => tokens.refreshToken],
    ['two segments', () => `${header(tokens.accessToken)}.${payload(tokens.accessToken)}`],
    ['four segments', () => `${tokens.accessToken}.${signature(tokens.accessToken)}`],
    ['bad base64url', () => '%%%.%%%.%%%'],
    [
      'a header that is not JSON',
      () => `${base64url('{"alg":"HS256",')}.${payload(tokens.accessToken)}.${signature(tokens.accessToken)}`,
    ],
    [
      'a payload that is a JSON array, signed with our key',
      () => forge.raw({ alg: 'HS256', typ: 'at+jwt' }, '[1,2,3]'),
    ],
    ['a payload that is a JSON string, signed with our key', () => forge.raw({ alg: 'HS256', typ: 'at+jwt' }, '"x"')],
    ['only dots', () => '..'],
    ['12 KB of token', () => `${tokens.accessToken}${'A'.repeat(12 * 1024)}`],
    // Readable two ways: a parser that keeps the first of duplicated keys would see another user or role.
    [
      'a payload with a duplicated sub, signed with our key',
      () => {
        const claims = JSON.stringify(forge.claims());
        return forge.raw({ alg: 'HS256', typ: 'at+jwt' }, `{"sub":"${otherUser.id}",${claims.slice(1)}`);
      },
    ],
    [
      'a header with a duplicated alg, signed with our key',
      () => forge.raw('{"alg":"none","alg":"HS256","typ":"at+jwt"}', forge.claims()),
    ],
    ['JSON with spaces, signed with our key', () => forge.raw('{"alg": "HS256", "typ": "at+jwt"}', forge.claims())],
    // Even with our key: a live session answers only for its own user and its own role.
    ['another user on a live session, signed with our key', () => forge.sign({ sub: otherUser.id })],
  ];

  it.each(attacks)('refuses %s', async (_name, make, path = '/users/me') => {
    const { code } = await expectRefused(await call(api, path, make()));
    expect(code).toBe('UNAUTHORIZED');
  });

  it('never fetches a key that a token points to (jku, x5u)', () => {
    expect(keyServerHits).toBe(0);
  });

  it('ignores a token in the query string or a cookie', async () => {
    await expectRefused(await fetch(`${api.url}/api/v1/users/me?access_token=${tokens.accessToken}`));
    await expectRefused(
      await fetch(`${api.url}/api/v1/users/me`, { headers: { cookie: `access_token=${tokens.accessToken}` } }),
    );
  });

  it('takes the token only from a Bearer authorization', async () => {
    for (const authorization of [tokens.accessToken, `Basic ${tokens.accessToken}`, `Token ${tokens.accessToken}`]) {
      await expectRefused(await fetch(`${api.url}/api/v1/users/me`, { headers: { authorization } }));
    }
  });

  it('answers a token larger than the header limit with a problem, not a crash', async () => {
    const response = await me(`${tokens.accessToken}${'A'.repeat(1024 * 1024)}`);
    expect(response.status).toBe(431);
    expect(problemFault(response, await response.text())).toBeUndefined();
  });

  it('ends the access token of a session at logout, on admin routes too', async () => {
    const admin = await login(api, await createUser(api, { role: Role.Admin }));
    expect((await call(api, '/admin/users', admin.accessToken)).status).toBe(200);
    expect((await call(api, '/auth/logout', admin.accessToken, { method: 'POST' })).status).toBe(204);
    await expectRefused(await call(api, '/admin/users', admin.accessToken));
    await expectRefused(await refresh(api, admin.refreshToken));
  });

  it('ends every token of the user at logout-all', async () => {
    const account = await createUser(api);
    const [first, second] = [await login(api, account), await login(api, account)];
    expect((await call(api, '/auth/logout-all', first.accessToken, { method: 'POST' })).status).toBe(204);
    for (const session of [first, second]) {
      await expectRefused(await me(session.accessToken));
      await expectRefused(await refresh(api, session.refreshToken));
    }
  });

  describe('refresh tokens', () => {
    const refreshWithCookie = (token: string) =>
      fetch(`${api.url}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { cookie: `modak_rt=${token}`, origin: TEST_SPA_ORIGIN },
      });

    it('refuses an access token presented as a refresh token (cookie: 401, body: its length is invalid)', async () => {
      const { accessToken } = await login(api, user);
      const viaCookie = await expectRefused(await refreshWithCookie(accessToken));
      expect(viaCookie.code).toBe('INVALID_REFRESH_TOKEN');
      // An access token is longer than any refresh token (documented: 20 to 200 characters), so the body is invalid.
      const viaBody = await refresh(api, accessToken);
      expect(viaBody.status).toBe(400);
      expect((await json(viaBody)).errors[0].field).toBe('refreshToken');
      // Cut to a refresh token's length, it is still no refresh token.
      const cut = await expectRefused(await refresh(api, accessToken.slice(0, 200)));
      expect(cut.code).toBe('INVALID_REFRESH_TOKEN');
    });

    it('refuses a refresh token with one character changed, or made up', async () => {
      const { refreshToken } = await login(api, user);
      const flipped = `${refreshToken.slice(0, -1)}${refreshToken.endsWith('A') ? 'B' : 'A'}`;
      for (const token of [flipped, randomBytes(32).toString('base64url'), 'x'.repeat(200)]) {
        expect((await expectRefused(await refresh(api, token))).code).toBe('INVALID_REFRESH_TOKEN');
      }
      // The genuine one still works: guessing did not end the login.
      expect((await refresh(api, refreshToken)).status).toBe(200);
    });

    it('gives a retry within the grace window the same successor, never a second branch', async () => {
      const { refreshToken } = await login(api, user);
      const first = await json(await refresh(api, refreshToken));
      const retry = await refresh(api, refreshToken);
      expect(retry.status).toBe(200);
      expect((await json(retry)).refreshToken).toBe(first.refreshToken);
    });

    it('ends the whole login when a rotated token comes back (beyond its immediate successor)', async () => {
      const { refreshToken: first } = await login(api, user);
      const second = await json(await refresh(api, first));
      const third = await json(await refresh(api, second.refreshToken));
      const reuse = await expectRefused(await refresh(api, first));
      expect(reuse.code).toBe('TOKEN_REUSED');
      // The family is revoked: the newest refresh token and the session's access token stop working too.
      await expectRefused(await refresh(api, third.refreshToken));
      await expectRefused(await me(third.accessToken));
      // Other logins of the same user are not touched.
      expect((await me(tokens.accessToken)).status).toBe(200);
    });
  });
});
