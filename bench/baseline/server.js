/**
 * The baseline: the benchmarked requests served by plain Fastify, pg and ioredis (no Nest, no ORM), with the API's
 * statements, read routing and token checks. The benchmark runs it beside the API and reports every figure as a ratio
 * to it. Configured by the API's own variables, read with the API's own loader (`loadApiConfig`): DATABASE_*,
 * REDIS_*, JWT_*, RATE_LIMIT_*, PORT, HOST, TRUST_PROXY, LOG_LEVEL.
 */
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import console from 'node:console';
import process from 'node:process';
import { closeRedis, createRedisClient, loadApiConfig } from '../../dist/apps/api/src/bench.entry.js';
import { signInServices } from './auth.js';
import { Database } from './database.js';
import { registerRoutes } from './routes.js';

async function main(env) {
  const config = loadApiConfig(env);
  const redis = createRedisClient(config.redis, 'baseline');
  await redis.connect();
  const db = new Database(config.database, redis, config.redis.keyPrefix);
  await db.start();

  const app = Fastify({
    logger: { level: config.logLevel, base: { service: 'baseline' }, messageKey: 'msg' },
    // One line per answered request, as the API logs.
    disableRequestLogging: true,
    trustProxy: config.http.trustProxy ? (_address, hop) => hop === 0 : false,
    bodyLimit: config.http.bodyLimitBytes,
    keepAliveTimeout: 65_000,
  });
  await app.register(cookie);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: { method: request.method, url: request.url }, res: { statusCode: reply.statusCode } },
      'request completed',
    );
  });
  app.get('/health', async () => ({ status: 'ok' }));
  registerRoutes(app, { db, auth: signInServices(config, redis, db), config });

  await app.listen({ port: config.http.port, host: config.http.host });
  const stop = async () => {
    await app.close();
    await db.stop();
    await closeRedis(redis);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main(process.env).catch((error) => {
  console.error(`baseline: ${error.stack ?? error}`);
  process.exit(1);
});
