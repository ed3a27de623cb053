import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from './redis.config.js';

/**
 * Options for a request-path client: a dead Redis turns into an immediate error (no offline queue, one retry,
 * a command timeout) so the caller answers 503 at once, while the client keeps reconnecting in the background.
 */
export function requestPathOptions(): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    // After a failover the old primary answers READONLY: reconnect (DNS now names the new primary).
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  };
}

export function createRedisClient(config: RedisConfig, name: string, overrides: RedisOptions = {}): Redis {
  return new Redis(config.url, { connectionName: `modak-${name}`, ...requestPathOptions(), ...overrides });
}

/** Closes politely, or drops the socket when Redis is not there to answer QUIT. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const unanswered = new Promise((resolve) => (timer = setTimeout(resolve, 1_000)));
  await Promise.race([client.quit().catch(() => client.disconnect()), unanswered]);
  // A timer left running would keep the process (or a test worker) alive for that second after everything closed.
  clearTimeout(timer);
  client.disconnect();
}

/** Deletes every key under `prefix:` (a run's own namespace), without blocking Redis (SCAN, UNLINK). */
export async function deleteKeysUnder(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Whether a Redis answers PING at `url` within two seconds (one try, no reconnects). */
export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
