import { Consumer, MailJobName, MailSeal, QueueName, type MailJob, type SealedMail } from '@app/queue';
import { REDIS_CONFIG, type RedisConfig } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { WORKER_CONFIG } from '../worker.tokens.js';
import type { WorkerConfig } from '../worker.config.js';
import { MailSender } from './mail.sender.js';

/** Consumes the mail queue: one job, one message. A failure is retried with backoff by BullMQ, then kept. */
@Injectable()
export class MailProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailProcessor.name);
  private consumer?: Consumer<SealedMail, MailJobName>;

  constructor(
    @Inject(REDIS_CONFIG) private readonly redis: RedisConfig,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly sender: MailSender,
    private readonly seal: MailSeal,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer = new Consumer(this.redis, QueueName.Mail, (job) => this.process(job), {
      concurrency: this.config.concurrency,
      logger: this.logger,
    });
  }

  async process(job: Job<SealedMail, void, MailJobName>): Promise<void> {
    switch (job.name) {
      case MailJobName.Send: {
        await this.sender.send(this.open(job));
        this.logger.log(`mail job ${job.id} sent to ${job.data.to.length} recipient(s)`);
        // The job stays a day under its id (a second add of it is a no-op, so nothing is mailed twice), without its
        // content. The mail is out: a failure here must not make it go again.
        await job.updateData({ to: job.data.to, sealed: '' }).catch((error: Error) => {
          this.logger.warn(`mail job ${job.id}: could not clear its data: ${error.message}`);
        });
        return;
      }
    }
  }

  private open(job: Job<SealedMail, void, MailJobName>): MailJob {
    // Queued by a release that did not seal yet: sent as it is.
    if ('subject' in job.data) return job.data as unknown as MailJob;
    try {
      return this.seal.open(job.data);
    } catch {
      // Sealed with another key, or changed in Redis: no retry can open it.
      throw new UnrecoverableError('the mail cannot be opened with this MAIL_SEAL_KEY');
    }
  }

  /** Whether its queue is being consumed (the worker's health check). */
  get running(): boolean {
    return this.consumer?.running ?? false;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
    this.sender.close();
  }
}
