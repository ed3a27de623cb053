import { createQueueConnection, MailJobName, QueueName, queuePrefix, retryDelay, type MailJob } from '@app/queue';
import { closeRedis, REDIS_CONFIG, type RedisConfig } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { WORKER_CONFIG } from '../worker.tokens.js';
import type { WorkerConfig } from '../worker.config.js';
import { MailSender } from './mail.sender.js';

/** Consumes the mail queue: one job, one message. A failure is retried with backoff by BullMQ, then kept. */
@Injectable()
export class MailProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailProcessor.name);
  private worker?: Worker<MailJob, void, MailJobName>;
  private connection?: Redis;

  constructor(
    @Inject(REDIS_CONFIG) private readonly redis: RedisConfig,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly sender: MailSender,
  ) {}

  onApplicationBootstrap(): void {
    this.connection = createQueueConnection(this.redis, 'worker');
    this.connection.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    this.worker = new Worker<MailJob, void, MailJobName>(QueueName.Mail, (job) => this.process(job), {
      connection: this.connection,
      prefix: queuePrefix(this.redis),
      concurrency: this.config.concurrency,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade) },
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn(`mail job ${job?.id} failed (attempt ${job?.attemptsMade}): ${error.message}`),
    );
    this.worker.on('error', (error) => this.logger.warn(`mail worker: ${error.message}`));
  }

  async process(job: Job<MailJob, void, MailJobName>): Promise<void> {
    switch (job.name) {
      case MailJobName.Send:
        await this.sender.send(job.data);
        this.logger.log(`mail job ${job.id} sent to ${job.data.to.length} recipient(s)`);
        return;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // Lets the job in hand finish; unstarted jobs stay in Redis for the next worker.
    await this.worker?.close();
    if (this.connection) await closeRedis(this.connection);
    this.sender.close();
  }
}
