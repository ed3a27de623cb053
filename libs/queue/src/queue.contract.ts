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

export interface MailJob {
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export interface JobPayloads {
  [MailJobName.Send]: MailJob;
}
