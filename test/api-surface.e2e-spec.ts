import { PROBLEM_CONTENT_TYPE } from '@app/core';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { startApi, TEST_SPA_ORIGIN, testApiEnv, type TestApi } from './support/api.js';
import { json } from './support/http.js';
import { ProbeModule } from './support/probe.module.js';

describe('the api surface', () => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testApiEnv(database), [ProbeModule]);
  });

  afterAll(async () => {
    await api.close();
  });

  const get = (path: string, init?: RequestInit) => fetch(`${api.url}${path}`, init);
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  describe('errors', () => {
    it('rejects an unknown body field with 400 problem+json naming the field', async () => {
      const response = await postJson('/api/v1/probe/echo', { name: 'ok', role: 'ADMIN' });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      const problem = await json(response);
      expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Validation failed' });
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'role' })]);
      expect(problem.requestId).toBe(response.headers.get('x-request-id'));
    });

    it('accepts the same body without the unknown field', async () => {
      const response = await postJson('/api/v1/probe/echo', { name: 'ok' });
      expect(response.status).toBe(201);
      expect(await json(response)).toEqual({ name: 'ok' });
    });

    it('answers a malformed JSON body with 400 problem+json and no parser internals', async () => {
      const response = await postJson('/api/v1/probe/echo', '{"name": ');
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      const problem = await json(response);
      expect(problem.code).toBe('BAD_REQUEST');
      expect(JSON.stringify(problem)).not.toMatch(/at .*\.js|node_modules/);
    });

    it('refuses a body over the size limit with 413 problem+json', async () => {
      const response = await postJson('/api/v1/probe/echo', { name: 'x'.repeat(api.config.http.bodyLimitBytes) });
      expect(response.status).toBe(413);
      expect((await json(response)).code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('answers an unknown route with 404 problem+json', async () => {
      const response = await get('/api/v1/no-such-thing');
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect((await json(response)).code).toBe('NOT_FOUND');
    });

    it('answers headers over the size limit with 431 problem+json', async () => {
      const response = await get('/health/live', { headers: { authorization: `Bearer ${'a'.repeat(1024 * 1024)}` } });
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
      expect(await json(response)).toMatchObject({ status: 431, code: 'BAD_REQUEST', requestId: expect.any(String) });
    });

    it('validates query parameters too', async () => {
      const response = await get('/api/v1/probe/slow?ms=lots');
      expect(response.status).toBe(400);
      expect((await json(response)).errors[0].field).toBe('ms');
    });
  });

  describe('request ids', () => {
    it.each(['/health/live', '/health/ready', '/metrics', '/docs/openapi.json', '/api/v1/no-such-thing'])(
      'puts X-Request-Id on %s',
      async (path) => {
        const response = await get(path);
        expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      },
    );

    it('echoes a well-formed X-Request-Id and replaces a hostile one', async () => {
      const echoed = await get('/health/live', { headers: { 'x-request-id': 'spa-1234.abc' } });
      expect(echoed.headers.get('x-request-id')).toBe('spa-1234.abc');
      const replaced = await get('/health/live', { headers: { 'x-request-id': 'bad id <script>alert(1)</script>' } });
      expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('health', () => {
    it('is live', async () => {
      const response = await get('/health/live');
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({ status: 'ok' });
    });

    it('is ready with the primary, the replica and Redis up', async () => {
      const response = await get('/health/ready');
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body.status).toBe('ok');
      expect(body.checks.primary.status).toBe('up');
      expect(body.checks.redis.status).toBe('up');
      expect(body.checks.replica.status).toBe('up');
      expect(body.checks.replica.nodes).toEqual([{ name: 'replica-1', up: true }]);
    });
  });

  describe('metrics', () => {
    it('exposes request durations by route and status, process metrics and pool metrics', async () => {
      await get('/api/v1/probe/slow?ms=1');
      const response = await get('/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(text).toMatch(
        /http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/probe\/slow"[^}]*status_code="200"/,
      );
      expect(text).toMatch(/process_resident_memory_bytes \d+/);
      expect(text).toMatch(/db_pool_connections\{node="primary",state="total"\} \d+/);
      expect(text).toMatch(/db_node_up\{node="replica-1"\} 1/);
    });

    it('hides metrics from requests that came through the load balancer', async () => {
      const response = await get('/metrics', { headers: { 'x-forwarded-for': '203.0.113.5' } });
      expect(response.status).toBe(404);
      expect((await json(response)).code).toBe('NOT_FOUND');
    });
  });

  describe('docs', () => {
    it('serves Swagger UI', async () => {
      const response = await get('/docs');
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('swagger-ui');
    });

    it('serves an OpenAPI 3 document with the bearer scheme and the problem schema', async () => {
      const document = await json(await get('/docs/openapi.json'));
      expect(document.openapi).toMatch(/^3\./);
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(document.components.schemas.Problem.required).toEqual(
        expect.arrayContaining(['type', 'title', 'status', 'detail', 'code', 'requestId']),
      );
    });
  });

  describe('http hygiene', () => {
    it('sends security headers and no X-Powered-By; no HSTS outside production', async () => {
      const response = await get('/health/live');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.headers.get('strict-transport-security')).toBeNull();
    });

    it('admits the SPA origin with credentials and no other origin', async () => {
      const preflight = (origin: string) =>
        get('/api/v1/probe/echo', {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type',
          },
        });
      const allowed = await preflight(TEST_SPA_ORIGIN);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(TEST_SPA_ORIGIN);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      const refused = await preflight('https://evil.example');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('keeps idle connections open longer than the ALB (60 s)', () => {
      const server = api.app.getHttpServer();
      expect(server.keepAliveTimeout).toBeGreaterThan(60_000);
      expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    });
  });
});
