import type { RedisKeys } from '@app/redis';
import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';

/**
 * KEYS: the count, its freshness mark. ARGV: how long a count stays fresh (ms).
 * Returns the cached count (or false) and 1 when the caller took the mark: the caller then counts, everyone else keeps
 * using the cached count (fresh, or at most one window old) meanwhile. The mark is the lock: one count per window.
 */
const LOOKUP_SCRIPT = `
local count = redis.call('GET', KEYS[1])
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return {count, 1} end
return {count, 0}`;

/** KEYS: the count, its freshness mark. ARGV: the count, how long it is kept (ms), how long it is fresh (ms). */
const STORE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 1`;

export interface CountCacheOptions {
  /** A count is used for this long before someone counts again. */
  freshMs: number;
  /** Without a cached count, how long a request waits for another one's count before counting itself. */
  waitMs?: number;
}

const POLL_MS = 10;

/**
 * Counts shared by every API instance for a few seconds (Redis): a stampede of requests for the same list costs one
 * count per window, not one each. Each key is counted by one request at a time (the freshness mark is its lock) while
 * the others answer with the last count, which is then at most one window old; only a cold key makes them wait, and
 * briefly. A caller that must see its own writes counts afresh (and refreshes the cache for everyone). When Redis
 * fails, every request counts for itself: slower, never wrong.
 */
export class CountCache {
  private readonly logger = new Logger(CountCache.name);
  /** Counts in flight in this process, so that concurrent misses here share one. */
  private readonly inFlight = new Map<string, Promise<number>>();
  private readonly waitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: CountCacheOptions,
  ) {
    this.waitMs = options.waitMs ?? 250;
  }

  /**
   * The count that `query` names (any string that identifies the counted statement and its parameters), from the
   * cache when it is fresh enough, else from `compute`. With `fresh`, always from `compute`.
   */
  async count(query: string, compute: () => Promise<number>, fresh = false): Promise<number> {
    if (this.options.freshMs === 0) return compute();
    const key = this.keys.key('db', 'count', createHash('sha256').update(query).digest('base64url'));
    // A count already in flight may have started before this caller's own write committed.
    if (fresh) return this.store(key, await compute());
    const shared = this.inFlight.get(key);
    if (shared) return shared;
    let lookup: [string | null, number];
    try {
      lookup = (await this.redis.eval(LOOKUP_SCRIPT, 2, key, this.markKey(key), this.options.freshMs)) as [
        string | null,
        number,
      ];
    } catch (error) {
      this.logger.debug(`count cache unavailable: ${(error as Error).message}`);
      return compute();
    }
    const [cached, mine] = lookup;
    if (mine === 1) return this.computeAndStore(key, compute);
    if (cached !== null) return Number(cached);
    return (await this.awaitOther(key)) ?? this.computeAndStore(key, compute);
  }

  private computeAndStore(key: string, compute: () => Promise<number>): Promise<number> {
    const existing = this.inFlight.get(key);
    if (existing) return existing;
    const flight = compute()
      .then((count) => this.store(key, count))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, flight);
    return flight;
  }

  /** Keeps `count` for six windows (what others use while the next one is counted), fresh for one. */
  private async store(key: string, count: number): Promise<number> {
    const { freshMs } = this.options;
    await this.redis.eval(STORE_SCRIPT, 2, key, this.markKey(key), count, freshMs * 6, freshMs).catch(() => undefined);
    return count;
  }

  /** Another instance is counting a key nobody has counted lately: its answer, if it comes within `waitMs`. */
  private async awaitOther(key: string): Promise<number | undefined> {
    const deadline = Date.now() + this.waitMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const cached = await this.redis.get(key).catch(() => null);
      if (cached !== null) return Number(cached);
    }
    return undefined;
  }

  private markKey(key: string): string {
    return `${key}:fresh`;
  }
}
