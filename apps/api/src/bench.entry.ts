/**
 * What the benchmark (bench/) takes from the build, in one place: `dist/apps/api/src/bench.entry.js`. The baseline
 * server runs the product's own code for everything that is not the framework (token checks, sessions and their Lua
 * scripts, rate limits, password hashing, read-routing keys, the count cache, pages and cursors), so that its ratios
 * measure Nest, TypeORM and the API's pipeline rather than two copies drifting apart; the harness starts the stack with
 * the test harness's pieces. Nothing in the API imports this module.
 */
export {
  AppError,
  cursorPageOf,
  ERROR_CODES,
  ErrorCode,
  listWindowOf,
  MAX_COUNTED_ROWS,
  pageOf,
  Role,
} from '@app/core';
export { CountCache, lastWriteKey, normalizeLsn, RECORD_POSITION_SCRIPT, unrecordedWritesKey } from '@app/database';
export { closeRedis, createRedisClient, deleteKeysUnder, RateLimiter, RedisKeys, redisAnswers } from '@app/redis';
export { freePort, startMigratedCluster, withDatabase } from '@app/testing';
export { loadApiConfig } from './api.config.js';
export { AccessTokenSigner } from './auth/tokens/access-token.signer.js';
export { AuthKeys } from './auth/auth.keys.js';
export { accountBanned, invalidCredentials, invalidRefreshToken, refreshTokenReused } from './auth/auth.errors.js';
export { clientNetwork } from './auth/guards/client-network.util.js';
export { DeviceCookieSigner } from './auth/email/device-cookie.signer.js';
export { bearerToken } from './auth/tokens/jwt.strategy.js';
export { LoginAttemptsLimiter } from './auth/email/login-attempts.limiter.js';
export { PasswordHasher } from './auth/email/password.hasher.js';
export { enforce } from './auth/guards/rate-limit.enforcer.js';
export { setRefreshCookie } from './auth/sessions/refresh.cookie.js';
export { RevocationsStore } from './auth/tokens/revocations.store.js';
export { SessionStore } from './auth/sessions/session.store.js';
