import type { Env } from '@app/core';
import { testStack, type TestDatabase } from '@app/testing';
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
