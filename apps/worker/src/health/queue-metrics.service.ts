import { embeddedMetrics, ROOT_LOGGER } from '@app/core';
import { createQueueConnection, QueueName, queuePrefix } from '@app/queue';
import { closeRedis, REDIS_CONFIG, type RedisConfig } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger as Pino } from 'pino';
import { WorkerHealth } from './worker-health.service.js';

const INTERVAL_MS = 60_000;

/**
 * Once a minute, the worker's metrics as embedded-metric log lines (CloudWatch reads them from the log; infra alarms on
 * them): a heartbeat while it consumes every queue and reaches Redis, and per queue the jobs waiting or delayed
 * (`QueueBacklog`) and the jobs that used up their attempts (`QueueFailedJobs`). A stuck worker shows as a missing
 * heartbeat and a growing backlog.
 */
@Injectable()
export class QueueMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueMetrics.name);
  private readonly connection: Redis;
  private readonly queues: Queue[];
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(REDIS_CONFIG) config: RedisConfig,
    @Inject(ROOT_LOGGER) private readonly log: Pino,
    private readonly health: WorkerHealth,
  ) {
    // One fail-fast connection counts for every queue.
    this.connection = createQueueConnection(config, 'producer');
    this.connection.on('error', () => undefined);
    this.queues = Object.values(QueueName).map(
      (name) => new Queue(name, { connection: this.connection, prefix: queuePrefix(config) }),
    );
  }

  /** The metric lines of this moment; none for the queues when Redis does not answer (the heartbeat is missing then). */
  async collect(): Promise<Record<string, unknown>[]> {
    const report = await this.health.check();
    if (report.status !== 'ok') return [];
    const lines = [embeddedMetrics([{ name: 'WorkerHeartbeat', unit: 'Count', value: 1 }])];
    for (const queue of this.queues) {
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'failed');
      lines.push(
        embeddedMetrics(
          [
            { name: 'QueueBacklog', unit: 'Count', value: counts.waiting + counts.prioritized + counts.delayed },
            { name: 'QueueFailedJobs', unit: 'Count', value: counts.failed },
          ],
          { Queue: queue.name },
        ),
      );
    }
    return lines;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.report(), INTERVAL_MS);
    this.timer.unref();
  }

  private async report(): Promise<void> {
    try {
      for (const line of await this.collect()) this.log.info(line, 'metrics');
    } catch (error) {
      this.logger.warn(`metrics not collected: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.queues.map((queue) => queue.close().catch(() => undefined)));
    await closeRedis(this.connection);
  }
}
