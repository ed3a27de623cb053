import { Role } from '@app/core';
import { createTestDatabase, KakaoStub, type TestDatabase } from '@app/testing';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_SPA_ORIGIN, type TestApi } from '../support/api.js';
import { call, createUser, login, type TestUser, type Tokens } from '../support/auth.js';
import { fixtures } from '../support/fixtures.js';
import { json } from '../support/http.js';
import { startApiWithKakao } from '../support/kakao.js';
import { DatabaseWatch, type TableFingerprint } from './support/database.js';
import {
  casesFor,
  operationsOf,
  type CaseContext,
  type FuzzCase,
  type OpenApiDocument,
  type Operation,
} from './support/openapi-cases.js';
import { problemFault } from './support/problem.js';
import { clientAddresses, fromAddress } from '../support/clients.js';

/**
 * Every operation of the OpenAPI document, sent input that breaks its schema (types, bounds, formats, unknown and
 * polluting fields, depth, size, bad ids and queries, broken transport) and well-formed hostile input where a valid
 * request writes nothing. No answer may be a 5xx; every 4xx is problem+json with a code and no internals; an
 * authenticated operation, called with a valid token, must reach its validation (no 401); and nothing in the database
 * changes.
 */

const COMMITTED: OpenApiDocument = JSON.parse(
  readFileSync(path.join(__dirname, '../../docs/openapi.json'), 'utf8'),
) as OpenApiDocument;

/** A valid request to these changes no row: a failed sign-in, a code check, a refresh, a read. */
const WRITE_FREE = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/email/verify',
  'POST /api/v1/auth/email/resend',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/kakao',
]);

/** Open redirects through the Kakao sign-in's return path: each must be refused before any redirect. */
const OPEN_REDIRECTS = [
  '//evil.example',
  'https://evil.example',
  '/\\evil.example',
  '/\\/evil.example',
  'javascript:alert(1)',
  '/\tevil.example',
  '\\\\evil.example',
  ' /boards',
  '/boards\r\nLocation: https://evil.example',
  `/${'a'.repeat(600)}`,
];

const CONCURRENCY = 6;

describe('every operation under hostile input', () => {
  let database: TestDatabase;
  let watch: DatabaseWatch;
  let stub: KakaoStub;
  let api: TestApi;
  let live: OpenApiDocument;
  let operations: Map<string, Operation>;
  let user: TestUser;
  let userTokens: Tokens;
  let adminTokens: Tokens;
  let member: TestUser;
  let ids: { board: string; task: string; session: string };
  let before: TableFingerprint;
  const sent: { operation: string; expect: FuzzCase['expect']; status: number }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    stub = await KakaoStub.start();
    // Limits far above what the cases need: this suite is about input, the brute-force suite about limits.
    api = await startApiWithKakao(database, stub, {
      RATE_LIMIT_LOGIN_ACCOUNT_IP: '10000/1m',
      RATE_LIMIT_LOGIN_IP: '10000/1m',
      RATE_LIMIT_SIGNUP_IP: '10000/1m',
      RATE_LIMIT_RESEND_IP: '10000/1m',
      RATE_LIMIT_VERIFY_EMAIL: '10000/1m',
      RATE_LIMIT_REFRESH_SESSION: '10000/1m',
      RATE_LIMIT_KAKAO_IP: '10000/1m',
    });
    live = await json<OpenApiDocument>(await fetch(`${api.url}/docs/openapi.json`));
    operations = new Map(operationsOf(live, COMMITTED).map((operation) => [operation.id, operation]));

    user = await createUser(api);
    member = await createUser(api);
    userTokens = await login(api, user);
    // A second session of the user: the one the session routes' valid id names, so a slip never ends the first.
    const spare = await login(api, user);
    adminTokens = await login(api, await createUser(api, { role: Role.Admin }));
    const sessions = await json<{ id: string; current: boolean }[]>(
      await call(api, '/auth/sessions', spare.accessToken),
    );
    watch = new DatabaseWatch(database);
    const made = fixtures(database);
    ids = {
      board: (await made.boards.create({ authorId: user.id })).id,
      task: (await made.tasks.create({ creatorId: user.id })).id,
      session: sessions.find((session) => session.current)!.id,
    };
    before = await watch.fingerprint();
  });

  afterAll(async () => {
    const refused = sent.filter((result) => result.expect === 'refused').length;
    process.stdout.write(
      `security fuzz: ${sent.length} cases over ${new Set(sent.map((result) => result.operation)).size} operations ` +
        `(${refused} schema-breaking, ${sent.length - refused} hostile but well-formed), ` +
        `${sent.filter((result) => result.status >= 500).length} answered 5xx\n`,
    );
    await api?.close();
    await stub?.stop();
    await watch?.close();
  });

  const context = (): CaseContext => ({
    pathValue: (operation) => {
      if (operation.path.startsWith('/api/v1/auth/sessions')) return ids.session;
      if (operation.path.startsWith('/api/v1/admin/users')) return member.id;
      if (operation.path.startsWith('/api/v1/boards')) return ids.board;
      if (operation.path.startsWith('/api/v1/tasks')) return ids.task;
      throw new Error(`no fixture for the path parameters of ${operation.id}`);
    },
    fieldValue: (_operation, field) => ({ assigneeId: member.id, version: 1 })[field],
    writesNothing: (operation) => operation.method === 'GET' || WRITE_FREE.has(operation.id),
    bodyLimitBytes: api.config.http.bodyLimitBytes,
  });

  const nextClient = clientAddresses('10.30');
  /** Sends one case from an address of its own (per-IP limits stay out of the way) and says what is wrong, if anything. */
  const send = async (operation: Operation, fuzz: FuzzCase): Promise<string | undefined> => {
    const token = !operation.bearer
      ? undefined
      : operation.path.startsWith('/api/v1/admin')
        ? adminTokens.accessToken
        : userTokens.accessToken;
    const response = await fetch(`${api.url}${fuzz.url}`, {
      method: fuzz.method,
      redirect: 'manual',
      headers: {
        ...fromAddress(nextClient()),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...fuzz.headers,
      },
      body: fuzz.body,
    });
    const text = await response.text();
    const status = response.status;
    sent.push({ operation: operation.id, expect: fuzz.expect, status });
    const label = `${fuzz.operation} [${fuzz.name}] -> ${status}`;
    if (status >= 500) return `${label}: ${text.slice(0, 200)}`;
    if (fuzz.expect === 'refused' && (status < 400 || status >= 500))
      return `${label}: accepted input that breaks the schema`;
    if (operation.bearer && status === 401)
      return `${label}: a valid token was refused, so the input was never checked`;
    if (operation.path.startsWith('/api/v1/admin') && status === 403) return `${label}: the admin was refused`;
    if (status >= 400) {
      const fault = problemFault(response, text);
      if (fault) return `${label}: ${fault}`;
    }
    if (status >= 300 && status < 400) {
      const location = new URL(response.headers.get('location') ?? '', api.url);
      if (![TEST_SPA_ORIGIN, stub.url].includes(location.origin)) return `${label}: redirects to ${location.href}`;
    }
    return undefined;
  };

  const run = async (operation: Operation, cases: FuzzCase[]): Promise<string[]> => {
    const faults: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const fuzz = cases[next++];
          const fault = await send(operation, fuzz);
          if (fault) faults.push(fault);
        }
      }),
    );
    return faults;
  };

  it('fuzzes every operation the api serves', () => {
    const served = Object.entries(live.paths).flatMap(([route, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${route}`),
    );
    const fuzzed = Object.entries(COMMITTED.paths).flatMap(([route, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${route}`),
    );
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((id) => !fuzzed.includes(id))).toEqual([]);
  });

  const committedOperations = operationsOf(COMMITTED).map((operation) => operation.id);

  it.each(committedOperations)(
    '%s: no 5xx, problem+json on every 4xx',
    async (id) => {
      const operation = operations.get(id)!;
      const cases = casesFor(operation, context());
      if (id === 'GET /api/v1/auth/kakao') {
        for (const redirect of OPEN_REDIRECTS) {
          cases.push({
            operation: id,
            name: `open redirect ${JSON.stringify(redirect.slice(0, 40))}`,
            method: 'GET',
            url: `${operation.path}?redirect=${encodeURIComponent(redirect)}`,
            headers: {},
            expect: 'refused',
          });
        }
      }
      expect(cases.length).toBeGreaterThan(0);
      expect(await run(operation, cases)).toEqual([]);
    },
    60_000,
  );

  it('still holds valid sessions and fixtures afterwards (the cases reached validation, not a dead token)', async () => {
    expect((await call(api, '/users/me', userTokens.accessToken)).status).toBe(200);
    expect((await call(api, '/admin/users', adminTokens.accessToken)).status).toBe(200);
    expect((await call(api, `/boards/${ids.board}`)).status).toBe(200);
    expect((await call(api, `/tasks/${ids.task}`, userTokens.accessToken)).status).toBe(200);
  });

  it('leaves every table as it was', async () => {
    expect(sent.length).toBeGreaterThan(500);
    expect(await watch.fingerprint()).toEqual(before);
  });
});
