/**
 * The baseline's sign-in machinery, doing the API's work by hand: HS256 access tokens checked with the same options
 * and the same Redis revocation round trip, refresh-token sessions rotated by one Lua script, fixed-window rate limits,
 * argon2id verification on libuv's pool with at most one hash per core but one.
 */
import jwt from 'jsonwebtoken';
import { verify as verifyArgon2 } from '@node-rs/argon2';
import { Buffer } from 'node:buffer';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import { availableParallelism } from 'node:os';
import { HIT_SCRIPT } from '../../dist/libs/redis/src/rate-limiter.js';

const ACCESS_TOKEN_TTL_S = 15 * 60;
const CLOCK_LEEWAY_S = 60;
const ACCESS_TOKEN_TYPE = 'at+jwt';
const REFRESH_ABSOLUTE_TTL_MS = 30 * 24 * 3600 * 1000;
const REFRESH_IDLE_TTL_MS = 7 * 24 * 3600 * 1000;
const REFRESH_REUSE_GRACE_MS = 10_000;
const MAX_SESSIONS_PER_USER = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const sha256 = (value) => createHash('sha256').update(value).digest('base64url');

/** Redis keys, laid out as the API lays them out. */
export class Keys {
  constructor(prefix) {
    this.prefix = prefix;
  }

  session(sessionId) {
    return `${this.prefix}:auth:session:${sessionId}`;
  }

  userSessions(userId) {
    return `${this.prefix}:auth:user-sessions:${userId}`;
  }

  deniedJti(jti) {
    return `${this.prefix}:auth:denied-jti:${jti}`;
  }

  userStamp(userId) {
    return `${this.prefix}:auth:user-stamp:${userId}`;
  }

  rate(name, subject) {
    return `${this.prefix}:rate:${name}:${subject}`;
  }
}

export class AccessTokens {
  constructor({ secret, issuer, audience }) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
    this.issuer = issuer;
    this.audience = audience;
  }

  sign({ userId, sessionId, role }) {
    return jwt.sign({ sid: sessionId, role }, this.key, {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: ACCESS_TOKEN_TYPE },
      subject: userId,
      issuer: this.issuer,
      audience: this.audience,
      expiresIn: ACCESS_TOKEN_TTL_S,
      jwtid: randomUUID(),
    });
  }

  /** The claims of a valid bearer token, or undefined. */
  verify(authorization) {
    const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
    if (!match || !isCanonical(match[1])) return undefined;
    let decoded;
    try {
      decoded = jwt.verify(match[1], this.key, {
        algorithms: ['HS256'],
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: CLOCK_LEEWAY_S,
        maxAge: ACCESS_TOKEN_TTL_S + CLOCK_LEEWAY_S,
        complete: true,
      });
    } catch {
      return undefined;
    }
    const claims = decoded.payload;
    const wellFormed =
      Object.keys(decoded.header).sort().join(',') === 'alg,typ' &&
      decoded.header.typ === ACCESS_TOKEN_TYPE &&
      typeof claims.sub === 'string' &&
      UUID.test(claims.sub) &&
      typeof claims.sid === 'string' &&
      typeof claims.jti === 'string' &&
      claims.exp - claims.iat <= ACCESS_TOKEN_TTL_S;
    return wellFormed ? claims : undefined;
  }
}

/** Whether the token's header and payload are exactly the compact JSON a signer writes (the API refuses others). */
function isCanonical(token) {
  return token
    .split('.')
    .slice(0, 2)
    .every((segment) => {
      try {
        const json = Buffer.from(segment, 'base64url').toString('utf8');
        return Buffer.from(JSON.stringify(JSON.parse(json))).toString('base64url') === segment;
      } catch {
        return false;
      }
    });
}

/** The API's revocation check: denylist, per-user stamp, and the session's user, in one pipelined round trip. */
export async function isRevoked(redis, keys, claims) {
  const [[, [denied, stamp]], [, sessionUser]] = await redis
    .pipeline()
    .mget(keys.deniedJti(claims.jti), keys.userStamp(claims.sub))
    .hget(keys.session(claims.sid), 'userId')
    .exec();
  return denied !== null || (stamp !== null && claims.iat < Number(stamp)) || sessionUser !== claims.sub;
}

export class RateLimiter {
  constructor(redis, keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** True when this hit goes over `limit` per `windowMs`. */
  async hit(name, subject, { limit, windowMs }, amount = 1) {
    const [count] = await this.redis.eval(HIT_SCRIPT, 1, this.keys.rate(name, subject), windowMs, amount);
    return count > limit;
  }

  async reset(name, subject) {
    await this.redis.del(this.keys.rate(name, subject));
  }
}

/** argon2id verification, at most one per core but one at once and 64 waiting, as the API's PasswordHasher. */
export class PasswordCheck {
  constructor() {
    this.capacity = Math.max(availableParallelism() - 1, 1);
    this.running = 0;
    this.waiting = [];
  }

  async verify(passwordHash, password) {
    if (this.running < this.capacity) this.running += 1;
    else if (this.waiting.length >= 64) throw new Error('too many hashes waiting');
    else await new Promise((resolve) => this.waiting.push(resolve));
    try {
      return await verifyArgon2(passwordHash, password).catch(() => false);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}

// The API's session scripts: create (evicting beyond the cap) and rotate (with the reuse grace window).
const CREATE_SCRIPT = `
local now, absolute = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'userId', ARGV[2], 'createdAt', ARGV[3], 'lastUsedAt', ARGV[3],
  'absoluteExpiresAt', ARGV[4], 'userAgent', ARGV[6], 'ip', ARGV[7], 'current', ARGV[8], 'generation', 0)
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[5]), absolute - now))
redis.call('ZADD', KEYS[2], now, ARGV[1])
redis.call('PEXPIRE', KEYS[2], absolute - now)
local live = {}
for _, sid in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  if redis.call('EXISTS', ARGV[10] .. sid) == 1 then table.insert(live, sid) else redis.call('ZREM', KEYS[2], sid) end
end
for i = 1, #live - tonumber(ARGV[9]) do
  redis.call('DEL', ARGV[10] .. live[i])
  redis.call('ZREM', KEYS[2], live[i])
end
return 1`;

const ROTATE_SCRIPT = `
local s = redis.call('HMGET', KEYS[1], 'userId', 'current', 'previous', 'rotatedAt', 'sealed', 'absoluteExpiresAt',
  'generation')
local userId, current, previous, rotatedAt, sealed, absolute, generation =
  s[1], s[2], s[3], s[4], s[5], tonumber(s[6]), tonumber(s[7])
if not userId then return {'invalid'} end
local now = tonumber(ARGV[1])
if now >= absolute then return {'invalid'} end
if ARGV[2] == current then
  redis.call('HSET', KEYS[1], 'current', ARGV[4], 'previous', current, 'rotatedAt', ARGV[1], 'sealed', ARGV[5],
    'lastUsedAt', ARGV[1], 'generation', generation + 1)
  redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[7]), absolute - now))
  return {'rotated', userId, tostring(absolute)}
end
if ARGV[2] == previous and now - tonumber(rotatedAt) <= tonumber(ARGV[6]) then
  return {'grace', userId, tostring(absolute), sealed}
end
return {'invalid'}`;

/** Refresh-token sessions: `<session>.<generation>.<random>.<MAC>`, only hashes in Redis. */
export class Sessions {
  constructor(redis, keys, secret) {
    this.redis = redis;
    this.keys = keys;
    this.macKey = createHash('sha256').update('modak:refresh-token:').update(secret).digest();
  }

  async create(userId, client) {
    const sessionId = randomUUID();
    const refreshToken = this.issue(sessionId, 0);
    const now = Date.now();
    await this.redis.eval(
      CREATE_SCRIPT,
      2,
      this.keys.session(sessionId),
      this.keys.userSessions(userId),
      sessionId,
      userId,
      now,
      now + REFRESH_ABSOLUTE_TTL_MS,
      REFRESH_IDLE_TTL_MS,
      client.userAgent.slice(0, 300),
      client.ip,
      sha256(refreshToken),
      MAX_SESSIONS_PER_USER,
      this.keys.session(''),
    );
    return { sessionId, refreshToken, refreshExpiresIn: REFRESH_ABSOLUTE_TTL_MS / 1000 };
  }

  /** The session a genuine token names, when it is alive. */
  async peek(token) {
    const parts = this.parse(token);
    if (!parts) return undefined;
    const userId = await this.redis.hget(this.keys.session(parts.sessionId), 'userId');
    return userId ? { ...parts, userId } : undefined;
  }

  /** The successor of `presented`, or undefined when it cannot be rotated. */
  async rotate(presented, { sessionId, generation }) {
    const successor = this.issue(sessionId, generation + 1);
    const now = Date.now();
    const [kind, , absolute, sealed] = await this.redis.eval(
      ROTATE_SCRIPT,
      1,
      this.keys.session(sessionId),
      now,
      sha256(presented),
      generation,
      sha256(successor),
      seal(presented, successor),
      REFRESH_REUSE_GRACE_MS,
      REFRESH_IDLE_TTL_MS,
    );
    if (kind !== 'rotated' && kind !== 'grace') return undefined;
    return {
      sessionId,
      refreshToken: kind === 'rotated' ? successor : unseal(presented, sealed),
      refreshExpiresIn: Math.floor((Number(absolute) - now) / 1000),
    };
  }

  issue(sessionId, generation) {
    const body = `${sessionId}.${generation}.${randomBytes(32).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  parse(token) {
    const parts = token.split('.');
    if (parts.length !== 4 || !UUID.test(parts[0]) || !/^\d{1,9}$/.test(parts[1])) return undefined;
    const expected = Buffer.from(this.mac(parts.slice(0, 3).join('.')));
    const given = Buffer.from(parts[3]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return { sessionId: parts[0], generation: Number(parts[1]) };
  }

  mac(body) {
    return createHmac('sha256', this.macKey).update(body).digest('base64url');
  }
}

const sealKey = (parent) => createHash('sha256').update('modak:refresh-successor:').update(parent).digest();

/** The successor sealed under a key derived from its parent (the API keeps it for the grace window). */
function seal(parent, successor) {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(parent), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

function unseal(parent, sealed) {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealKey(parent), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
