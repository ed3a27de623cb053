import { requestContext } from '@app/core';
import type { RedisKeys } from '@app/redis';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LATEST_POSITION, normalizeLsn, RECORD_POSITION_SCRIPT } from './lsn.util.js';

/** Redis could not say where the client's last write is: only the primary is safe. */
export const UNKNOWN_POSITION = 'unknown';

const FLUSH_INTERVAL_MS = 1_000;

/** Where a client's last write position is kept, for the window (`<prefix>:db:last-write:<consistencyKey>`). */
export const lastWriteKey = (keys: RedisKeys, consistencyKey: string): string =>
  keys.key('db', 'last-write', consistencyKey);

/** The shared floor of writes that could not be recorded for their client. */
export const unrecordedWritesKey = (keys: RedisKeys): string => keys.key('db', 'unrecorded-writes');

const later = (a: string | null, b: string | null): string | null => (a === null ? b : b === null || a >= b ? a : b);

/**
 * Remembers, per client and across API instances, the WAL position of the client's last write, for a bounded window.
 * The client is the request context's `consistencyKey` (set once the caller is authenticated).
 *
 * A write made while Redis is unreachable cannot be recorded for its client. Two floors keep its author off a replica
 * that has not replayed it once Redis answers again; in steady state replicas are milliseconds behind and the floors
 * cost nothing, and both expire with the window:
 * - an instance that lost its Redis connection takes the primary's position at reconnection as a floor of its own
 *   (every write made meanwhile precedes it) before it serves another tracked read;
 * - an instance that could not record a write raises a shared floor in Redis with its position (one more key in the
 *   same round trip), for instances that never lost Redis themselves.
 */
export class ReadYourWritesTracker {
  private readonly logger = new Logger('ReadYourWritesTracker');
  /** The latest write position this instance could not record, until it is written to the floor. */
  private unrecorded: string | null = null;
  private flusher?: NodeJS.Timeout;
  private redisLost = false;
  private outageFloor?: Promise<{ position: string; until: number }>;
  /** The primary's current position; set by the router that owns the primary. */
  primaryPosition: () => Promise<string> = () => Promise.resolve(LATEST_POSITION);

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly windowMs: number,
  ) {
    redis.on('close', () => {
      this.redisLost = true;
    });
  }

  /** The position the current client must see, `null` when it has none, UNKNOWN_POSITION when Redis fails. */
  async lastWrite(): Promise<string | null> {
    const context = requestContext.current();
    if (!context?.consistencyKey) return null;
    if (context.lastWriteLsn !== undefined) return context.lastWriteLsn;
    try {
      const [client, floor] = await this.redis.mget(this.key(context.consistencyKey), this.floorKey());
      const outage = await this.floorAfterOutage();
      context.lastWriteLsn = later(later(later(client, floor), this.unrecorded), outage);
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
      await this.raise(this.key(context.consistencyKey), position);
    } catch (error) {
      // The write itself succeeded; later reads go to the primary while Redis is unreachable, and to a replica that
      // has replayed this position once it answers again (the floor).
      this.logger.warn(`could not record a write position: ${(error as Error).message}`);
      this.unrecorded = later(this.unrecorded, position);
      this.flusher ??= setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
    }
  }

  /** Stops the floor's flushing (the process is shutting down). */
  close(): void {
    clearInterval(this.flusher);
    this.flusher = undefined;
  }

  /** Once Redis answers after it was lost: the primary's position then, for a window (LATEST when unknown). */
  private async floorAfterOutage(): Promise<string | null> {
    if (this.redisLost) {
      this.redisLost = false;
      this.outageFloor = this.primaryPosition()
        .then((position) => normalizeLsn(position))
        .catch(() => LATEST_POSITION)
        .then((position) => ({ position, until: Date.now() + this.windowMs }));
    }
    const floor = await this.outageFloor;
    return floor && floor.until > Date.now() ? floor.position : null;
  }

  private async flush(): Promise<void> {
    const position = this.unrecorded;
    if (position === null) return this.close();
    try {
      await this.raise(this.floorKey(), position);
    } catch {
      return; // Still unreachable: the next tick tries again.
    }
    if (this.unrecorded === position) {
      this.unrecorded = null;
      this.close();
    }
  }

  private async raise(key: string, position: string): Promise<void> {
    await this.redis.eval(RECORD_POSITION_SCRIPT, 1, key, position, String(this.windowMs));
  }

  private key(consistencyKey: string): string {
    return lastWriteKey(this.keys, consistencyKey);
  }

  private floorKey(): string {
    return unrecordedWritesKey(this.keys);
  }
}
