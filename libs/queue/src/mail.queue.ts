import type { RedisConfig } from '@app/redis';
import type { JobsOptions } from 'bullmq';
import type { MailSeal } from './mail.seal.js';
import { isSealed, MailJobName, QueueName, type MailJob, type SealedMail } from './queue.contract.js';
import { Producer } from './queue.connection.js';

/** The producer side of the mail queue. */
export class MailQueue extends Producer<SealedMail, MailJobName> {
  constructor(
    config: RedisConfig,
    private readonly seal: MailSeal,
  ) {
    super(config, QueueName.Mail);
  }

  /**
   * Enqueues one mail, sealed (or as it is, when it was sealed already: the outbox keeps mail sealed too). `jobId` makes
   * it idempotent: a second add with the same id is a no-op.
   */
  async send(mail: MailJob | SealedMail, options: Pick<JobsOptions, 'jobId' | 'delay'> = {}): Promise<void> {
    await this.queue.add(MailJobName.Send, isSealed(mail) ? mail : this.seal.seal(mail), options);
  }
}
