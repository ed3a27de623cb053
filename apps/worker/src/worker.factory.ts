import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppLogger } from '@app/core';
import type { WorkerConfig } from './worker.config.js';
import { WorkerModule } from './worker.module.js';

/** Boots the worker: connects to Redis, starts consuming the queues and serves its health check. */
export async function createWorker(config: WorkerConfig): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.register(config), { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  await app.init();
  return app;
}
