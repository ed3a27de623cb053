/**
 * The baseline: the benchmarked requests served by plain Fastify, pg and ioredis (no Nest, no ORM), with the API's
 * statements, read routing and token checks. The benchmark runs it beside the API and reports every figure as a ratio
 * to it. Configured by the API's own variables (DATABASE_URL, DATABASE_REPLICA_URLS, REDIS_URL, REDIS_KEY_PREFIX,
 * JWT_*, PORT, HOST, TRUST_PROXY, LOG_LEVEL, DATABASE_POOL_SIZE, DATABASE_COUNT_CACHE_MS, RATE_LIMIT_*).
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import console from 'node:console';
import process from 'node:process';
import { AccessTokens, Keys, PasswordCheck, RateLimiter, Sessions } from './auth.js';
import { Database } from './database.js';
import { registerRoutes } from './routes.js';

const UNITS = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `10/15m` as `{ limit: 10, windowMs: 900000 }`. */
function rateOf(value) {
  const [, count, amount, unit] = /^(\d+)\/(\d+)([smh])$/.exec(value);
  return { limit: Number(count), windowMs: Number(amount) * UNITS[unit] };
}

async function main(env) {
  const keyPrefix = env.REDIS_KEY_PREFIX ?? 'modak';
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    connectionName: 'modak-baseline',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    lazyConnect: true,
  });
  await redis.connect();
  const db = new Database({
    primaryUrl: env.DATABASE_URL,
    replicaUrl: env.DATABASE_REPLICA_URLS.split(',')[0],
    poolSize: Number(env.DATABASE_POOL_SIZE ?? 10),
    redis,
    keyPrefix,
    readYourWritesWindowMs: 60_000,
    // The harness passes the API's default (libs/database/src/database.config.ts), or the API's --api-env value.
    countCacheMs: Number(env.DATABASE_COUNT_CACHE_MS ?? 5_000),
  });
  await db.start();
  const keys = new Keys(keyPrefix);

  const app = Fastify({
    logger: { level: env.LOG_LEVEL ?? 'info', base: { service: 'baseline' }, messageKey: 'msg' },
    // One line per answered request, as the API logs.
    disableRequestLogging: true,
    trustProxy: env.TRUST_PROXY === 'true' ? (_address, hop) => hop === 0 : false,
    bodyLimit: 100 * 1024,
    keepAliveTimeout: 65_000,
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { req: { method: request.method, url: request.url }, res: { statusCode: reply.statusCode } },
      'request completed',
    );
  });
  app.get('/health', async () => ({ status: 'ok' }));
  registerRoutes(app, {
    db,
    redis,
    keys,
    tokens: new AccessTokens({
      secret: env.JWT_SECRET,
      issuer: env.JWT_ISSUER ?? 'modak',
      audience: env.JWT_AUDIENCE ?? 'modak-spa',
    }),
    sessions: new Sessions(redis, keys, env.JWT_SECRET),
    limiter: new RateLimiter(redis, keys),
    limits: {
      loginAccountIp: rateOf(env.RATE_LIMIT_LOGIN_ACCOUNT_IP ?? '10/15m'),
      loginIp: rateOf(env.RATE_LIMIT_LOGIN_IP ?? '50/15m'),
      refreshSession: rateOf(env.RATE_LIMIT_REFRESH_SESSION ?? '30/1m'),
    },
    passwords: new PasswordCheck(),
  });

  await app.listen({ port: Number(env.PORT ?? 3100), host: env.HOST ?? '127.0.0.1' });
  const stop = async () => {
    await app.close();
    await db.stop();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main(process.env).catch((error) => {
  console.error(`baseline: ${error.stack ?? error}`);
  process.exit(1);
});
