import type { MailJob } from '@app/queue';
import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../worker.config.js';

/** Sends mail over SMTP, or writes it to the log when no SMTP server is configured (development). */
export class MailSender {
  private readonly logger = new Logger(MailSender.name);
  private readonly transport?: Transporter;

  constructor(private readonly config: MailConfig) {
    if (config.smtpUrl) {
      this.transport = nodemailer.createTransport({
        url: config.smtpUrl,
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 10_000,
      });
    }
  }

  async send(mail: MailJob): Promise<void> {
    if (!this.transport) {
      this.logger.log(
        { mail: { from: this.config.from, ...mail } },
        `mail to ${mail.to.join(', ')} (not sent: SMTP_URL is unset)`,
      );
      return;
    }
    await this.transport.sendMail({ from: this.config.from, ...mail });
  }

  close(): void {
    this.transport?.close();
  }
}
