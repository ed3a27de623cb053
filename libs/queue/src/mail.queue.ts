import { closeRedis, type RedisConfig } from '@app/redis';
import { Queue, type JobsOptions } from 'bullmq';
import type { MailSeal } from './mail-seal.js';
import { isSealed, MailJobName, QueueName, type MailJob, type SealedMail } from './queue.contract.js';
import { createQueueConnection, DEFAULT_JOB_OPTIONS, queuePrefix } from './queue.connection.js';

/** The producer side of the mail queue. */
export class MailQueue {
  readonly queue: Queue<SealedMail, void, MailJobName>;
  private readonly connection;

  constructor(
    config: RedisConfig,
    private readonly seal: MailSeal,
  ) {
    this.connection = createQueueConnection(config, 'producer');
    this.connection.on('error', () => undefined);
    this.queue = new Queue<SealedMail, void, MailJobName>(QueueName.Mail, {
      connection: this.connection,
      prefix: queuePrefix(config),
      defaultJobOptions: DEFAULT_JOB_OPTIONS,
    });
    // Connection errors surface on the calls that fail (as 503s); the queue's own event would go to stderr.
    this.queue.on('error', () => undefined);
  }

  /**
   * Enqueues one mail, sealed (or as it is, when it was sealed already: the outbox keeps mail sealed too). `jobId` makes
   * it idempotent: a second add with the same id is a no-op.
   */
  async send(mail: MailJob | SealedMail, options: Pick<JobsOptions, 'jobId' | 'delay'> = {}): Promise<void> {
    await this.queue.add(MailJobName.Send, isSealed(mail) ? mail : this.seal.seal(mail), options);
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await closeRedis(this.connection);
  }
}
