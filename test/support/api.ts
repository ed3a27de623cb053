import { loadApiConfig, type ApiConfig } from '../../apps/api/src/api.config.js';
import { createApiApp } from '../../apps/api/src/app.factory.js';
import type { ModuleImport } from '../../apps/api/src/app.module.js';
import type { Env } from '@app/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export { TEST_SPA_ORIGIN, testApiEnv } from './api-env.js';

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
