import { createRedisClient, type RedisConfig } from '@app/redis';
import type { DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** BullMQ keys live under the app's namespace: `<prefix>:queue:<name>:...`. */
export const queuePrefix = (config: RedisConfig): string => `${config.keyPrefix}:queue`;

/**
 * A connection for BullMQ. Workers block on Redis and must retry forever (`maxRetriesPerRequest: null`); producers
 * fail fast so that a request never hangs on a dead Redis.
 */
export function createQueueConnection(config: RedisConfig, role: 'producer' | 'worker'): Redis {
  return role === 'worker'
    ? createRedisClient(config, 'worker', {
        maxRetriesPerRequest: null,
        enableOfflineQueue: true,
        commandTimeout: undefined,
        lazyConnect: false,
      })
    : createRedisClient(config, 'producer', { lazyConnect: false });
}

/** The retry schedule of a job: 2 s, doubling, at most 10 minutes apart (see {@link retryDelay}). */
export const RETRY_BACKOFF = 'capped-exponential';

/** Delay before attempt `attemptsMade + 1`: 2 s, 4 s, 8 s ... capped at 10 minutes. */
export const retryDelay = (attemptsMade: number): number =>
  Math.min(2_000 * 2 ** Math.max(attemptsMade - 1, 0), 600_000);

/**
 * 40 attempts on that schedule span about six hours, enough to ride out an SMTP outage; a job that still fails is
 * kept (visible, retryable by hand), never dropped. Completed jobs are trimmed after a day.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 40,
  backoff: { type: RETRY_BACKOFF },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: false,
};
