import { MailSeal, type SealedMail } from '@app/queue';
import { query, type TestDatabase } from '@app/testing';

/** How many mails whose subject contains `subject` wait in the outbox (sealed there: opened with `mailSealKey`). */
export async function pendingMail(database: TestDatabase, mailSealKey: string, subject: string): Promise<number> {
  const seal = new MailSeal(mailSealKey);
  const rows = await query<{ payload: SealedMail }>(
    database.primaryUrl,
    "SELECT payload FROM outbox WHERE dispatched_at IS NULL AND kind = 'mail'",
  );
  return rows.filter((row) => seal.open(row.payload).subject.includes(subject)).length;
}
