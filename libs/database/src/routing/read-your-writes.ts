import { requestContext } from '@app/core';
import type { RedisKeys } from '@app/redis';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { normalizeLsn } from './lsn.js';

/** Redis could not say where the client's last write is: only the primary is safe. */
export const UNKNOWN_POSITION = 'unknown';

// Keeps the highest position: two writes of one client finishing out of order never move the marker back.
const RECORD_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (not current) or current < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;

/**
 * Remembers, per client and across API instances, the WAL position of the client's last write, for a bounded window.
 * The client is the request context's `consistencyKey` (set once the caller is authenticated).
 */
export class ReadYourWrites {
  private readonly logger = new Logger('ReadYourWrites');

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly windowMs: number,
  ) {}

  /** The position the current client must see, `null` when it has none, UNKNOWN_POSITION when Redis fails. */
  async lastWrite(): Promise<string | null> {
    const context = requestContext.current();
    if (!context?.consistencyKey) return null;
    if (context.lastWriteLsn !== undefined) return context.lastWriteLsn;
    try {
      context.lastWriteLsn = await this.redis.get(this.key(context.consistencyKey));
    } catch {
      context.lastWriteLsn = UNKNOWN_POSITION;
    }
    return context.lastWriteLsn;
  }

  /** Whether the current request belongs to a known client whose writes must be tracked. */
  tracking(): boolean {
    return Boolean(requestContext.current()?.consistencyKey);
  }

  async recordWrite(lsn: string): Promise<void> {
    const context = requestContext.current();
    if (!context?.consistencyKey) return;
    const position = normalizeLsn(lsn);
    context.lastWriteLsn = position;
    try {
      await this.redis.eval(RECORD_SCRIPT, 1, this.key(context.consistencyKey), position, String(this.windowMs));
    } catch (error) {
      // The write itself succeeded; only later requests lose the guarantee, and they read from the primary while
      // Redis is unreachable anyway.
      this.logger.warn(`could not record a write position: ${(error as Error).message}`);
    }
  }

  private key(consistencyKey: string): string {
    return this.keys.key('db', 'last-write', consistencyKey);
  }
}
