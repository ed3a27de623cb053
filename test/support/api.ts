import { loadApiConfig, type ApiConfig } from '../../apps/api/src/api.config.js';
import { createApiApp } from '../../apps/api/src/app.factory.js';
import type { ModuleImport } from '../../apps/api/src/app.module.js';
import type { Env } from '@app/core';
import { testStack, type TestDatabase } from '@app/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';

export const TEST_SPA_ORIGIN = 'http://spa.modak.test';

/** The environment of an api under test: the suite's database, its Redis prefix and its JWT key. */
export function testApiEnv(database: TestDatabase, overrides: Env = {}): Env {
  const stack = testStack();
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.primaryUrl,
    DATABASE_REPLICA_URLS: database.replicaUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_KEY_PREFIX: database.redisKeyPrefix,
    // One key per database: every instance of a suite shares it, as every task of a deployment does (and passport's
    // strategy registry is per process, so instances in one test process must agree on it).
    JWT_SECRET: createHash('sha256').update(`modak-test-jwt:${database.name}`).digest('base64url'),
    CORS_ORIGINS: TEST_SPA_ORIGIN,
    // As behind the ALB: tests set X-Forwarded-For to act from several addresses.
    TRUST_PROXY: 'true',
    FRONTEND_URL: `${TEST_SPA_ORIGIN}/`,
    // Shedding on the process's event-loop delay and heap answers for the machine, not for the code under test: a
    // busy test machine (a browser, argon2, other suites) would turn any request into 503 OVERLOADED. The benchmark
    // measures shedding (bench/README.md); the pools' own admission stays on.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    OVERLOAD_MAX_HEAP_USED_PERCENT: '0',
    ...overrides,
  };
}

export interface TestApi {
  app: NestFastifyApplication;
  config: ApiConfig;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the real api (same factory as production) on a free port. Several apis may run in one test process, as
 * instances of one deployment; passport's strategy registry is per process, though, so the api started last serves
 * token checks for all of them: close it only when the suite is done with the others.
 */
export async function startApi(env: Env, extraImports: ModuleImport[] = []): Promise<TestApi> {
  const config = loadApiConfig(env);
  const app = await createApiApp(config, extraImports);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
