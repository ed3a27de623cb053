import { createTestDatabase, freePort, type TestDatabase } from '@app/testing';
import { shutDownGracefully } from '../apps/api/src/app.factory.js';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import { json } from './support/http.js';
import { ProbeModule } from './support/probe.module.js';

describe('when dependencies fail', () => {
  let database: TestDatabase;
  const started: TestApi[] = [];
  const start = async (overrides: Record<string, string>) => {
    const api = await startApi(testApiEnv(database, overrides), [ProbeModule]);
    started.push(api);
    return api;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await Promise.all(started.map((api) => api.close().catch(() => undefined)));
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE, never 500, while the primary is down, and readiness says so', async () => {
    const deadPort = await freePort();
    const api = await start({
      DATABASE_URL: `postgres://modak@127.0.0.1:${deadPort}/modak`,
      DATABASE_REPLICA_URLS: '',
    });
    const response = await fetch(`${api.url}/api/v1/probe/users?nickname=x`);
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('retry-after')).toBe('5');
    const problem = await json(response);
    expect(problem.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(JSON.stringify(problem)).not.toContain(String(deadPort));

    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    const body = await json(ready);
    expect(body.status).toBe('unavailable');
    expect(body.checks.primary.status).toBe('down');
    expect(body.checks.redis.status).toBe('up');
  });

  it('keeps serving reads and writes while Redis is down, and readiness names Redis', async () => {
    const api = await start({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const write = await fetch(`${api.url}/api/v1/probe/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-client': 'client:carol' },
      body: JSON.stringify({ name: 'carol' }),
    });
    expect(write.status).toBe(201);
    // Without Redis nobody can tell where carol's last write is: her reads go to the primary and see it.
    const read = await fetch(`${api.url}/api/v1/probe/users?nickname=carol`, {
      headers: { 'x-test-client': 'client:carol' },
    });
    expect(read.status).toBe(200);
    expect(await json(read)).toEqual({ servedByReplica: false, found: true });

    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks.redis.status).toBe('down');
  });

  it('drains on shutdown: readiness fails first, in-flight requests finish, then the port closes', async () => {
    const api = await startApi(testApiEnv(database), [ProbeModule]);
    const inFlight = Array.from({ length: 5 }, () => fetch(`${api.url}/api/v1/probe/slow?ms=600`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = shutDownGracefully(api.app, 300);

    const ready = await fetch(`${api.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).status).toBe('draining');

    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    await stopping;
    await expect(fetch(`${api.url}/health/live`)).rejects.toThrow();
  });
});
