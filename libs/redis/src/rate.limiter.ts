import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis.keys.js';

export interface RateLimit {
  /** Counted events allowed per window. */
  limit: number;
  windowMs: number;
}

export interface RateLimitState {
  count: number;
  /** Milliseconds until the window ends. */
  resetMs: number;
  exceeded: boolean;
}

/** A fixed window that starts with its first event: INCR, and set the expiry only when the key is new. */
export const HIT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/**
 * Counters in Redis, shared by every API instance. `hit` counts an event; `peek` reads without counting (for limits
 * that count only failures, checked before the attempt).
 */
export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async hit(name: string, subject: string, rule: RateLimit, amount = 1): Promise<RateLimitState> {
    const [count, resetMs] = (await this.redis.eval(HIT_SCRIPT, 1, this.key(name, subject), rule.windowMs, amount)) as [
      number,
      number,
    ];
    return { count, resetMs, exceeded: count > rule.limit };
  }

  async peek(name: string, subject: string, rule: RateLimit): Promise<RateLimitState> {
    const key = this.key(name, subject);
    const [[, count], [, ttl]] = (await this.redis.multi().get(key).pttl(key).exec()) as [
      [null, string | null],
      [null, number],
    ];
    const used = Number(count ?? 0);
    return { count: used, resetMs: Math.max(ttl, 0), exceeded: used >= rule.limit };
  }

  async reset(name: string, subject: string): Promise<void> {
    await this.redis.del(this.key(name, subject));
  }

  private key(name: string, subject: string): string {
    return this.keys.key('rate', name, subject);
  }
}
