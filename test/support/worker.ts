import type { Env } from '@app/core';
import { testStack, type TestDatabase } from '@app/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { loadWorkerConfig, type WorkerConfig } from '../../apps/worker/src/worker.config.js';
import { createWorker } from '../../apps/worker/src/worker.factory.js';

export function testWorkerEnv(database: TestDatabase, overrides: Env = {}): Env {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: testStack().redisUrl,
    REDIS_KEY_PREFIX: database.redisKeyPrefix,
    MAIL_FROM: 'Modak <no-reply@modak.test>',
    WORKER_HEALTH_PORT: '0',
    ...overrides,
  };
}

export interface TestWorker {
  app: INestApplicationContext;
  config: WorkerConfig;
  close(): Promise<void>;
}

/** Starts the real worker (same factory as production) in this process. */
export async function startWorker(env: Env): Promise<TestWorker> {
  const config = loadWorkerConfig(env);
  const app = await createWorker(config);
  return { app, config, close: () => app.close() };
}
