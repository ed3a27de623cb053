import { closeRedis, createRedisClient, type RedisConfig } from '@app/redis';
import { Queue, Worker, type DefaultJobOptions, type Job } from 'bullmq';
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

/**
 * A producer's end of a queue, on a connection of its own that fails fast. Connection errors surface on the calls that
 * fail (as 503s); the queue's own error event would go to stderr.
 */
export class Producer<Data, Name extends string> {
  readonly queue: Queue<Data, void, Name>;
  private readonly connection: Redis;

  constructor(config: RedisConfig, name: string) {
    this.connection = createQueueConnection(config, 'producer');
    this.connection.on('error', () => undefined);
    this.queue = new Queue<Data, void, Name>(name, {
      connection: this.connection,
      prefix: queuePrefix(config),
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    this.queue.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await closeRedis(this.connection);
  }
}

/**
 * A worker's end of a queue, on a blocking connection of its own: `process` runs each job, a failure is retried on
 * the {@link retryDelay} schedule, and failures are logged with `logger`.
 */
export class Consumer<Data, Name extends string> {
  readonly worker: Worker<Data, void, Name>;
  private readonly connection: Redis;

  constructor(
    config: RedisConfig,
    name: string,
    process: (job: Job<Data, void, Name>) => Promise<void>,
    options: { concurrency: number; logger: { warn(message: string): void } },
  ) {
    const { logger } = options;
    this.connection = createQueueConnection(config, 'worker');
    this.connection.on('error', (error: Error) => logger.warn(`redis: ${error.message}`));
    this.worker = new Worker<Data, void, Name>(name, process, {
      connection: this.connection,
      prefix: queuePrefix(config),
      concurrency: options.concurrency,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade) },
    });
    this.worker.on('failed', (job, error) =>
      logger.warn(`${name} job ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`),
    );
    this.worker.on('error', (error) => logger.warn(`${name} worker: ${error.message}`));
  }

  /** Whether it takes jobs (false once closed, or when BullMQ stopped it). */
  get running(): boolean {
    return this.worker.isRunning();
  }

  /** Lets the job in hand finish; unstarted jobs stay in Redis for the next worker. */
  async close(): Promise<void> {
    await this.worker.close();
    await closeRedis(this.connection);
  }
}
