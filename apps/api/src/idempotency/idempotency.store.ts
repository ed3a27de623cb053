import { InjectRedis, RedisKeys } from '@app/redis';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';

/** How long a key and its answer are kept (SECURITY.md). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** How long a first request may stay in flight before its key is freed for a retry. */
const IN_FLIGHT_TTL_MS = 60_000;

/** The body of the first answer; a replay has the same status, which the route decides. */
export interface StoredAnswer {
  body: unknown;
}

export type Claim =
  { kind: 'claimed' } | { kind: 'in-flight' } | { kind: 'other-payload' } | { kind: 'replay'; answer: StoredAnswer };

// KEYS: the key. ARGV: fingerprint, in-flight ttl. Claims the key, or says what already holds it.
const CLAIM_SCRIPT = `
local held = redis.call('HMGET', KEYS[1], 'fingerprint', 'answer')
if not held[1] then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {'claimed'}
end
if held[1] ~= ARGV[1] then return {'other-payload'} end
if not held[2] then return {'in-flight'} end
return {'replay', held[2]}`;

/** Idempotency keys in Redis, per caller: the fingerprint of the first request and, once answered, its answer. */
@Injectable()
export class IdempotencyStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async claim(scope: string, key: string, fingerprint: string): Promise<Claim> {
    const [kind, answer] = (await this.redis.eval(
      CLAIM_SCRIPT,
      1,
      this.key(scope, key),
      fingerprint,
      IN_FLIGHT_TTL_MS,
    )) as [Claim['kind'], string?];
    return kind === 'replay' ? { kind, answer: JSON.parse(answer!) as StoredAnswer } : { kind };
  }

  async complete(scope: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(scope, key), 'answer', JSON.stringify(answer))
      .pexpire(this.key(scope, key), IDEMPOTENCY_TTL_MS)
      .exec();
  }

  /** Frees the key after a failed first request, so that the client may retry it. */
  async release(scope: string, key: string): Promise<void> {
    await this.redis.del(this.key(scope, key));
  }

  private key(scope: string, key: string): string {
    return this.keys.key('idempotency', scope, key);
  }
}
