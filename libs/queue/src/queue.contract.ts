/**
 * The contract between the api (producer) and the worker (consumer): queue names, job names and payloads.
 * A payload is plain JSON; changing one means both apps deploy together, so add fields, do not repurpose them.
 */
export enum QueueName {
  Mail = 'mail',
  Kakao = 'kakao',
}

export enum MailJobName {
  Send = 'send',
}

export enum KakaoJobName {
  /** Unlinks a closed account's Kakao user from the app, with the admin key. */
  Unlink = 'unlink',
}

/** A Kakao user to unlink; the id is erased from the job once it is done. */
export interface KakaoUnlinkJob {
  kakaoId: string;
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
