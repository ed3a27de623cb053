import { Database, OutboxEntity } from '@app/database';
import { MailSeal, type KakaoUnlinkJob, type MailJob } from '@app/queue';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** What an outbox row asks for: a mail (sealed), or unlinking a closed account's Kakao user. */
export enum OutboxKind {
  Mail = 'mail',
  KakaoUnlink = 'kakao-unlink',
}

/** The outbox table: rows added inside a change's transaction, handed to the queue after it. */
@Injectable()
export class OutboxRepository {
  constructor(
    private readonly database: Database,
    private readonly seal: MailSeal,
  ) {}

  /** Records a mail, sealed as in the queue: a code or a notice is no more readable in the table than in Redis. */
  async addMail(manager: EntityManager, mail: MailJob): Promise<void> {
    const payload = this.seal.seal(mail) as unknown as Record<string, unknown>;
    await manager.save(manager.create(OutboxEntity, { kind: OutboxKind.Mail, payload }));
  }

  /** Records that Kakao must be told to unlink `kakaoId`, which works whether or not Kakao answers now. */
  async addKakaoUnlink(manager: EntityManager, job: KakaoUnlinkJob): Promise<void> {
    await manager.save(manager.create(OutboxEntity, { kind: OutboxKind.KakaoUnlink, payload: { ...job } }));
  }

  /**
   * How long the oldest row not yet queued has waited, in seconds (0 when none waits). A plain read: a replica lags
   * seconds at most (a further one serves no reads), against an alarm on minutes.
   */
  async oldestPendingAgeSeconds(): Promise<number> {
    const row = await this.database.read((manager) =>
      manager
        .createQueryBuilder(OutboxEntity, 'outbox')
        .select('COALESCE(EXTRACT(EPOCH FROM now() - MIN(outbox.createdAt)), 0)::float8', 'age')
        .where('outbox.dispatchedAt IS NULL')
        .getRawOne<{ age: number }>(),
    );
    return Math.max(0, Math.round(row?.age ?? 0));
  }

  /**
   * Runs `dispatch` on up to `limit` pending rows, oldest first, locked so that another API instance skips them; the
   * rows `dispatch` returns are marked dispatched, and emptied, when the transaction commits.
   */
  dispatchPending(limit: number, dispatch: (rows: OutboxEntity[]) => Promise<string[]>): Promise<number> {
    return this.database.transaction(async (manager) => {
      const rows = await manager
        .createQueryBuilder(OutboxEntity, 'outbox')
        .where('outbox.dispatchedAt IS NULL')
        .orderBy('outbox.createdAt', 'ASC')
        .limit(limit)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      const dispatched = rows.length > 0 ? await dispatch(rows) : [];
      if (dispatched.length > 0) {
        await manager
          .createQueryBuilder()
          .update(OutboxEntity)
          // What the row carried (a sealed mail, a Kakao id) now lives in the queue only, which erases it once done.
          .set({ dispatchedAt: () => 'now()', payload: () => "'{}'::jsonb" })
          .whereInIds(dispatched)
          .execute();
      }
      return dispatched.length;
    });
  }
}
