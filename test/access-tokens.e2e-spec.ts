import { readFileSync } from 'node:fs';
import path from 'node:path';
import { IS_PUBLIC, REQUIRED_ROLES } from '@app/core';
import { createTestDatabase } from '@app/testing';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { call, createUser, login, type Tokens } from './support/auth.js';
import { ProbeModule } from './support/probe.module.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens under attack', () => {
  let api: TestApi;
  let tokens: Tokens;
  let claims: { sub: string; sid: string; role: string };
  let secret: string;

  beforeAll(async () => {
    const database = await createTestDatabase();
    api = await startApi(testApiEnv(database), [ProbeModule]);
    secret = api.config.auth.jwtSecret;
    tokens = await login(api, await createUser(api));
    const payload = jwt.decode(tokens.accessToken) as { sub: string; sid: string; role: string };
    claims = { sub: payload.sub, sid: payload.sid, role: payload.role };
  });

  afterAll(async () => {
    await api?.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  /** A token like ours, with the given changes; signed with our secret unless told otherwise. */
  const forge = (
    payload: Record<string, unknown> = {},
    options: { key?: jwt.Secret; algorithm?: jwt.Algorithm; header?: Record<string, unknown> } = {},
  ) =>
    jwt.sign(
      {
        ...claims,
        jti: randomUUID(),
        iat: now(),
        exp: now() + 600,
        iss: api.config.auth.jwtIssuer,
        aud: api.config.auth.jwtAudience,
        ...payload,
      },
      options.key ?? secret,
      {
        algorithm: options.algorithm ?? 'HS256',
        header: { alg: options.algorithm ?? 'HS256', typ: 'at+jwt', ...options.header },
      },
    );
  const me = (token: string) => call(api, '/users/me', token);

  it('accepts a well-formed token signed with our key (control)', async () => {
    expect((await me(forge())).status).toBe(200);
    expect((await me(tokens.accessToken)).status).toBe(200);
  });

  const attacks: [string, () => string][] = [
    ['alg none', () => `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64({ ...claims, exp: now() + 600 })}.`],
    [
      'alg NONE with a signature',
      () => `${b64({ alg: 'NONE', typ: 'at+jwt' })}.${b64({ ...claims, exp: now() + 600 })}.c2ln`,
    ],
    ['a signature stripped', () => forge().split('.').slice(0, 2).join('.') + '.'],
    [
      'a tampered payload (role)',
      () => {
        const [header, , signature] = tokens.accessToken.split('.');
        const payload = jwt.decode(tokens.accessToken) as object;
        return `${header}.${b64({ ...payload, role: 'ADMIN' })}.${signature}`;
      },
    ],
    ['a wrong key', () => forge({}, { key: 'another-secret-that-is-long-enough-to-pass-32' })],
    [
      'RS256 (algorithm not pinned to ours)',
      () => {
        const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
        return forge({}, { key: privateKey, algorithm: 'RS256' });
      },
    ],
    ['expired', () => forge({ iat: now() - 2000, exp: now() - 120 })],
    ['not yet valid', () => forge({ nbf: now() + 600 })],
    ['iat in the future', () => forge({ iat: now() + 300, exp: now() + 900 })],
    ['a wrong issuer', () => forge({ iss: 'someone-else' })],
    ['a wrong audience', () => forge({ aud: 'another-app' })],
    [
      'no exp',
      () =>
        jwt.sign(
          { ...claims, jti: randomUUID(), iss: api.config.auth.jwtIssuer, aud: api.config.auth.jwtAudience },
          secret,
          { header: { alg: 'HS256', typ: 'at+jwt' } },
        ),
    ],
    ['a lifetime above 15 minutes', () => forge({ iat: now(), exp: now() + 3600 })],
    ['another token type', () => forge({}, { header: { typ: 'JWT' } })],
    ['an embedded jwk header', () => forge({}, { header: { jwk: { kty: 'oct', k: 'AAAA' }, kid: '../../dev/null' } })],
    ['an unknown session', () => forge({ sid: randomUUID() })],
    ['a refresh token presented as an access token', () => tokens.refreshToken],
    ['two segments', () => tokens.accessToken.split('.').slice(0, 2).join('.')],
    ['four segments', () => `${tokens.accessToken}.AAAA`],
    ['bad base64', () => '%%%.%%%.%%%'],
  ];

  it.each(attacks)('refuses %s with 401 problem+json', async (_name, make) => {
    const response = await me(make());
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('ignores a token in the query string', async () => {
    const response = await fetch(`${api.url}/api/v1/users/me?access_token=${tokens.accessToken}`);
    expect(response.status).toBe(401);
  });

  /** Every route handler of the api, named as the OpenAPI document's operation ids, with how the guard treats it. */
  const routeHandlers = () =>
    [...api.app.get(ModulesContainer).values()].flatMap((module) =>
      [...module.controllers.values()].flatMap((controller) => {
        const type = controller.metatype as new () => object;
        const prototype = type.prototype as Record<string, unknown>;
        return Object.getOwnPropertyNames(prototype).flatMap((name) => {
          const handler = prototype[name];
          if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) return [];
          const marked = (key: string) =>
            Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, type) !== undefined;
          return [
            {
              operationId: `${type.name}_${name}`,
              route: `${type.name}.${name} (${String(Reflect.getMetadata(PATH_METADATA, handler))})`,
              isPublic: marked(IS_PUBLIC),
              guarded: marked(REQUIRED_ROLES),
            },
          ];
        });
      }),
    );

  /** The operations of the committed OpenAPI document. */
  const documentedOperations = () => {
    const document = JSON.parse(readFileSync(path.join(__dirname, '..', 'docs', 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string; security?: Record<string, string[]>[] }>>;
    };
    return Object.values(document.paths).flatMap((methods) => Object.values(methods));
  };

  it('leaves every route either public or guarded, and visits every operation of the OpenAPI document', () => {
    const handlers = routeHandlers();
    expect(handlers.filter((handler) => !handler.isPublic && !handler.guarded).map((h) => h.route)).toEqual([]);
    // The walk saw the handlers it guards: every documented operation is one of them (a metadata lookup that found
    // nothing would leave this set empty, and the check above vacuous).
    const visited = new Set(handlers.map((handler) => handler.operationId));
    const operations = documentedOperations().map((operation) => operation.operationId);
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((id) => !visited.has(id))).toEqual([]);
  });

  it('documents what the guard does: a public operation asks for no access token, every other one for it', () => {
    const isPublic = new Map(routeHandlers().map((handler) => [handler.operationId, handler.isPublic]));
    const operations = documentedOperations();
    const described = operations.map((operation) => ({
      operationId: operation.operationId,
      security: operation.security,
      isPublic: isPublic.get(operation.operationId),
    }));
    // Public ones: `security: []`, or a scheme of their own (Kakao's admin key), never the bearer token.
    const publicOnes = described.filter((operation) => operation.isPublic);
    expect(publicOnes.length).toBeGreaterThan(5);
    expect(
      publicOnes.filter(
        ({ security }) => security === undefined || security.some((requirement) => 'bearer' in requirement),
      ),
    ).toEqual([]);
    expect(publicOnes.filter(({ security }) => security?.length === 0).length).toBeGreaterThan(5);
    const guardedOnes = described.filter((operation) => operation.isPublic === false);
    expect(guardedOnes.length).toBeGreaterThan(10);
    expect(guardedOnes.filter(({ security }) => JSON.stringify(security) !== '[{"bearer":[]}]')).toEqual([]);
  });
});
