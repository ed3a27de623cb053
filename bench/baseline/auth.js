/**
 * The baseline's sign-in machinery: the API's own classes (access tokens, revocations, the session store and its Lua
 * scripts, login attempts, rate limits, device cookies, argon2id on libuv's pool), built by hand instead of by Nest's
 * container, on the baseline's Redis client and its plain pg pools. Only what Nest adds around them is left out.
 */
import {
  AccessTokenSigner,
  AuthKeys,
  bearerToken,
  DeviceCookieSigner,
  ErrorCode,
  AppError,
  LoginAttemptsLimiter,
  PasswordHasher,
  RateLimiter,
  RedisKeys,
  RevocationsStore,
  SessionStore,
} from '../../dist/apps/api/src/bench.entry.js';
import { SQL } from './sql.js';

/**
 * The API's auth services for `config` (the API's own, from `loadApiConfig`). `db` answers the one question the
 * revocation check asks the database, and only while Redis is unreachable: the account of a token, on the primary.
 */
export function signInServices(config, redis, db) {
  const redisKeys = new RedisKeys(config.redis.keyPrefix);
  const keys = new AuthKeys(redisKeys);
  const limiter = new RateLimiter(redis, redisKeys);
  const devices = new DeviceCookieSigner(config.auth);
  const users = {
    async findByIdForAccess(id) {
      const [row] = (await db.primary.query(SQL.userById, [id])).rows;
      return row ? { bannedAt: row.user_banned_at, closedAt: row.user_closed_at, role: row.user_role } : null;
    },
  };
  return {
    tokens: new AccessTokenSigner(config.auth),
    revocations: new RevocationsStore(redis, keys, users),
    sessions: new SessionStore(redis, keys, config.auth),
    limiter,
    devices,
    attempts: new LoginAttemptsLimiter(config.auth, limiter, devices),
    passwords: new PasswordHasher(),
  };
}

/**
 * The API's bearer check: the token read as passport-jwt reads it, verified with the API's options and claim checks,
 * then the revocation round trip. Resolves to the caller's claims, or throws 401.
 */
export async function authenticate({ tokens, revocations }, request) {
  const token = bearerToken(request);
  const claims = token ? tokens.verify(token) : undefined;
  if (!claims || (await revocations.check(claims)) === 'revoked') {
    throw new AppError(ErrorCode.Unauthorized, 'The access token is not valid; sign in again');
  }
  return claims;
}
