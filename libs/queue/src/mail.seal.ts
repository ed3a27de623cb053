import { deriveKey, envPiece } from '@app/core';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { MailJob, SealedMail } from './queue.contract.js';

/** For a laptop and the tests only; production must set its own (`embeddedDefaults`). */
const DEVELOPMENT_KEY = 'modak-development-mail-seal-key-not-for-production';

/** The key the api seals mail with and the worker opens it with. */
export const mailSealEnv = envPiece({
  shape: {
    MAIL_SEAL_KEY: z
      .string()
      .min(32, 'must be at least 32 random characters, e.g. from: openssl rand -base64 48')
      .default(DEVELOPMENT_KEY),
  },
  embeddedDefaults: ['MAIL_SEAL_KEY'],
  docs: {
    MAIL_SEAL_KEY: {
      meaning: 'seals mail (codes) in the outbox and the queue; the api and the worker share it',
      default: 'a development key',
    },
  },
});

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a mail's subject and body (AES-256-GCM) for its way through the queue: a verification code must not be
 * readable in Redis, in the job history or in a failed job kept for inspection. The recipients stay readable, for
 * the worker's logs and for whoever retries a job by hand.
 */
export class MailSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey('mail-seal', secret);
  }

  seal(mail: MailJob): SealedMail {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const content = JSON.stringify({ subject: mail.subject, text: mail.text, html: mail.html });
    const sealed = Buffer.concat([cipher.update(content, 'utf8'), cipher.final()]);
    return { to: mail.to, sealed: Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url') };
  }

  /** The mail, or an error when the data was not sealed with this key or was changed. */
  open(data: SealedMail): MailJob {
    const bytes = Buffer.from(data.sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const content = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    const { subject, text, html } = JSON.parse(content.toString('utf8')) as Omit<MailJob, 'to'>;
    return { to: data.to, subject, text, ...(html === undefined ? {} : { html }) };
  }
}
