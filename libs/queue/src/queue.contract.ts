/**
 * The contract between the api (producer) and the worker (consumer): queue names, job names and payloads.
 * A payload is plain JSON; changing one means both apps deploy together, so add fields, do not repurpose them.
 */
export enum QueueName {
  Mail = 'mail',
}

export enum MailJobName {
  Send = 'send',
}

/** A mail as the api writes it and the worker sends it. */
export interface MailJob {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

/** A mail job's data in Redis: the recipients, and the rest sealed (`MailSeal`). */
export interface SealedMail {
  to: string[];
  sealed: string;
}

export const isSealed = (mail: MailJob | SealedMail): mail is SealedMail => 'sealed' in mail;
