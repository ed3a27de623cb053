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
export { AccessTokens } from './auth/access-tokens.js';
export { AuthKeys } from './auth/auth-keys.js';
export { accountBanned, invalidCredentials, invalidRefreshToken, refreshTokenReused } from './auth/auth.errors.js';
export { clientNetwork } from './auth/client-network.js';
export { DeviceCookies } from './auth/device-cookies.js';
export { bearerToken } from './auth/jwt.strategy.js';
export { LoginAttempts } from './auth/login-attempts.js';
export { PasswordHasher } from './auth/password-hasher.js';
export { enforce } from './auth/rate-limits.js';
export { setRefreshCookie } from './auth/refresh-cookie.js';
export { Revocations } from './auth/revocations.js';
export { SessionStore } from './auth/session.store.js';
