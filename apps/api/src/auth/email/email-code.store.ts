import { constantTimeEqual, deriveKey } from '@app/core';
import { InjectRedis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import {
  EMAIL_CODE_DAILY_WINDOW_MS,
  EMAIL_CODE_MAX_ATTEMPTS,
  EMAIL_CODE_MAX_DAILY_TRIES,
  EMAIL_CODE_MAX_LIVE,
  EMAIL_CODE_RESEND_COOLDOWN_MS,
  EMAIL_CODE_TTL_MS,
} from '../auth.constants.js';
import { addressDigest, AuthKeys } from '../auth.keys.js';

/** A code that matched: `consume` it once whatever it proves has been accepted. */
export interface CodeMatch {
  id: string;
}

export type CodeCheck = CodeMatch | 'wrong' | 'exhausted' | 'missing';

/** What a code proves: an address for a signup, or the right to set an account's password. One never serves the other. */
export type CodePurpose = 'verify' | 'reset';

// The live codes of an address sit in one hash: `d:<id>` the HMAC, `a:<id>` the tries, `e:<id>` when it dies (ms, on
// Redis's clock). Each script first drops the codes past their time or their tries (ARGV[1]), counting the latter in
// `spent`, and leaves the ids of the others in `live`.
const LIVE_CODES = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local live, spent = {}, 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  local id = string.match(fields[i], '^e:(.+)$')
  if id then
    local tries = tonumber(redis.call('HGET', KEYS[1], 'a:' .. id))
    if tonumber(fields[i + 1]) <= now or tries >= tonumber(ARGV[1]) then
      redis.call('HDEL', KEYS[1], 'd:' .. id, 'a:' .. id, 'e:' .. id)
      if tries >= tonumber(ARGV[1]) then spent = spent + 1 end
    else
      table.insert(live, id)
    end
  end
end`;

// KEYS: the codes. ARGV: tries per code, id, HMAC, life in ms, most live codes. Adds a code (1) unless the address
// already holds the most live codes it may (0): a new code never replaces one the owner may be about to type.
const ISSUE_SCRIPT = `${LIVE_CODES}
if #live >= tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[1], 'd:' .. ARGV[2], ARGV[3], 'a:' .. ARGV[2], 0, 'e:' .. ARGV[2], now + tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

// KEYS: the codes, the address's daily tries. ARGV: tries per code, tries per day, the day in ms. A try is counted
// against every live code it is compared with, and against the day once for each, before any comparison: concurrent
// guesses cannot exceed either, and holding several codes live does not multiply the chance of a guess. All the codes
// die with the day. Returns id, HMAC pairs, or 'missing' / 'exhausted'.
const ATTEMPT_SCRIPT = `${LIVE_CODES}
if #live == 0 then
  if spent > 0 then return {'exhausted'} end
  return {'missing'}
end
local daily = redis.call('INCRBY', KEYS[2], #live)
if daily == #live then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
if daily > tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return {'exhausted'}
end
local candidates = {}
for _, id in ipairs(live) do
  redis.call('HINCRBY', KEYS[1], 'a:' .. id, 1)
  table.insert(candidates, id)
  table.insert(candidates, redis.call('HGET', KEYS[1], 'd:' .. id))
end
return candidates`;

// KEYS: the codes, the address's daily tries. ARGV: id. A proven address needs no other code: all of them go (1), unless
// another request used this one first (0). The right code's try is given back to the day, which counts wrong ones.
const CONSUME_SCRIPT = `
if redis.call('HEXISTS', KEYS[1], 'e:' .. ARGV[1]) == 0 then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DECR', KEYS[2]) end
return 1`;

/**
 * Six-digit email codes. Redis keeps only an HMAC of each, for ten minutes; a code is single use, dies after five
 * wrong tries, and is compared in constant time. An address holds a few live codes at once, so that a code sent on
 * someone else's request never kills the one its owner is typing, and gets twenty wrong tries a day across all of
 * them: a new code every cool-down would otherwise allow about a thousand guesses a day.
 */
@Injectable()
export class EmailCodeStore {
  private readonly pepper: Buffer;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: AuthKeys,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.pepper = deriveKey('email-code', config.jwtSecret);
  }

  /** A new code for `email`, or undefined while the address already holds the most live codes it may. */
  async issue(purpose: CodePurpose, email: string): Promise<string | undefined> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const issued = await this.redis.eval(
      ISSUE_SCRIPT,
      1,
      this.keys.emailCodes(purpose, addressDigest(email)),
      EMAIL_CODE_MAX_ATTEMPTS,
      randomUUID(),
      this.digest(purpose, email, code),
      EMAIL_CODE_TTL_MS,
      EMAIL_CODE_MAX_LIVE,
    );
    return issued === 1 ? code : undefined;
  }

  /** Counts a try and says which live code `code` is, if any. The code stays live until it is consumed. */
  async check(purpose: CodePurpose, email: string, code: string): Promise<CodeCheck> {
    const emailHash = addressDigest(email);
    const answer = (await this.redis.eval(
      ATTEMPT_SCRIPT,
      2,
      this.keys.emailCodes(purpose, emailHash),
      this.keys.emailCodeDailyTries(emailHash),
      EMAIL_CODE_MAX_ATTEMPTS,
      EMAIL_CODE_MAX_DAILY_TRIES,
      EMAIL_CODE_DAILY_WINDOW_MS,
    )) as string[];
    if (answer[0] === 'missing' || answer[0] === 'exhausted') return answer[0];
    const given = Buffer.from(this.digest(purpose, email, code), 'base64url');
    let match: CodeMatch | undefined;
    // Every candidate is compared, so that the time taken does not tell which one matched.
    for (let i = 0; i < answer.length; i += 2) {
      if (constantTimeEqual(given, Buffer.from(answer[i + 1], 'base64url'))) match = { id: answer[i] };
    }
    return match ?? 'wrong';
  }

  /**
   * Uses up the address's codes once `match` has proven it: true for the one request that does so first (single use),
   * false for any other.
   */
  async consume(purpose: CodePurpose, email: string, match: CodeMatch): Promise<boolean> {
    const emailHash = addressDigest(email);
    const consumed = await this.redis.eval(
      CONSUME_SCRIPT,
      2,
      this.keys.emailCodes(purpose, emailHash),
      this.keys.emailCodeDailyTries(emailHash),
      match.id,
    );
    return consumed === 1;
  }

  /**
   * True when a code may be mailed to the address now, and starts the cool-down: one per minute, whatever asks (signup,
   * resend, forgot-password), so that neither route floods a mailbox.
   */
  async startCooldown(email: string): Promise<boolean> {
    const key = this.keys.resendCooldown(addressDigest(email));
    return (await this.redis.set(key, '1', 'PX', EMAIL_CODE_RESEND_COOLDOWN_MS, 'NX')) === 'OK';
  }

  private digest(purpose: CodePurpose, email: string, code: string): string {
    return createHmac('sha256', this.pepper).update(`${purpose}:${email.toLowerCase()}:${code}`).digest('base64url');
  }
}
