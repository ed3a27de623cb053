import { deriveKey } from '@app/core';
import { InjectRedis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { AUTH_CONFIG, type AuthConfig } from './auth.config.js';
import {
  EMAIL_CODE_DAILY_WINDOW_MS,
  EMAIL_CODE_MAX_ATTEMPTS,
  EMAIL_CODE_MAX_DAILY_TRIES,
  EMAIL_CODE_RESEND_COOLDOWN_MS,
  EMAIL_CODE_TTL_MS,
} from './auth.constants.js';
import { addressDigest, AuthKeys } from './auth-keys.js';

export type CodeCheck = 'valid' | 'wrong' | 'exhausted' | 'missing';

// KEYS: code, the address's daily tries. ARGV: max attempts per code, max tries per day, the day in ms. Counts the try
// against both before any comparison, so that concurrent guesses cannot exceed either; a code whose address has used
// up its day dies with it.
const ATTEMPT_SCRIPT = `
local digest = redis.call('HGET', KEYS[1], 'digest')
if not digest then return {'missing'} end
local daily = redis.call('INCR', KEYS[2])
if daily == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts > tonumber(ARGV[1]) or daily > tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return {'exhausted'}
end
return {digest, tostring(attempts)}`;

// KEYS: code, the address's daily tries. Uses the code up (1, or 0 when another request did first) and gives its try
// back to the day.
const CONSUME_SCRIPT = `
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DECR', KEYS[2]) end
return 1`;

/**
 * Six-digit email verification codes. Redis keeps only an HMAC of the code, for ten minutes; a code is single use,
 * dies after five wrong tries, and is compared in constant time. An address gets twenty tries a day across all its
 * codes: a new code every cool-down would otherwise allow about a thousand guesses a day.
 */
@Injectable()
export class EmailCodes {
  private readonly pepper: Buffer;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: AuthKeys,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.pepper = deriveKey('email-code', config.jwtSecret);
  }

  /** A new code for `email`, replacing any previous one. */
  async issue(email: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const key = this.keys.emailCode(addressDigest(email));
    await this.redis
      .multi()
      .del(key)
      .hset(key, 'digest', this.digest(email, code), 'attempts', 0)
      .pexpire(key, EMAIL_CODE_TTL_MS)
      .exec();
    return code;
  }

  async check(email: string, code: string): Promise<CodeCheck> {
    const emailHash = addressDigest(email);
    const key = this.keys.emailCode(emailHash);
    const daily = this.keys.emailCodeDailyTries(emailHash);
    const [digest, attempts] = (await this.redis.eval(
      ATTEMPT_SCRIPT,
      2,
      key,
      daily,
      EMAIL_CODE_MAX_ATTEMPTS,
      EMAIL_CODE_MAX_DAILY_TRIES,
      EMAIL_CODE_DAILY_WINDOW_MS,
    )) as [string, string?];
    if (digest === 'missing' || digest === 'exhausted') return digest;
    const expected = Buffer.from(digest, 'base64url');
    const given = Buffer.from(this.digest(email, code), 'base64url');
    if (expected.length === given.length && timingSafeEqual(expected, given)) {
      // Single use: whoever deletes it first wins; a concurrent second success finds it gone. The right code's try
      // is given back: the daily count is of wrong ones.
      return (await this.redis.eval(CONSUME_SCRIPT, 2, key, daily)) === 1 ? 'valid' : 'missing';
    }
    if (Number(attempts) >= EMAIL_CODE_MAX_ATTEMPTS) {
      await this.redis.del(key);
      return 'exhausted';
    }
    return 'wrong';
  }

  /** True when a code may be sent again now (once per cool-down), and starts the cool-down. */
  async startCooldown(email: string): Promise<boolean> {
    const key = this.keys.resendCooldown(addressDigest(email));
    return (await this.redis.set(key, '1', 'PX', EMAIL_CODE_RESEND_COOLDOWN_MS, 'NX')) === 'OK';
  }

  private digest(email: string, code: string): string {
    return createHmac('sha256', this.pepper).update(`${email.toLowerCase()}:${code}`).digest('base64url');
  }
}
