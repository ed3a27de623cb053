import type { Env } from '@app/core';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadApiConfig } from './api.config.js';
import { createApiApp, shutDownGracefully } from './app.factory.js';

const logger = new Logger('Api');

/** Validates `env`, serves the api on its port, and drains it on SIGTERM or SIGINT before exiting 0. */
export async function serveApi(env: Env): Promise<NestFastifyApplication> {
  const config = loadApiConfig(env);
  const app = await createApiApp(config);
  await app.listen({ port: config.http.port, host: config.http.host });
  logger.log(`api listening on ${await app.getUrl()}`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: draining for ${config.http.shutdownDrainMs} ms, then closing`);
    try {
      await shutDownGracefully(app, config.http.shutdownDrainMs);
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
  return app;
}
