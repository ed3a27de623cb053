import { Database, OutboxEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The outbox table: rows added inside a change's transaction, handed to the queue after it. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly database: Database) {}

  async add(manager: EntityManager, kind: string, payload: Record<string, unknown>): Promise<void> {
    await manager.save(manager.create(OutboxEntity, { kind, payload }));
  }

  /**
   * Runs `dispatch` on up to `limit` pending rows, oldest first, locked so that another API instance skips them; the
   * rows `dispatch` returns are marked dispatched when the transaction commits.
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
          .set({ dispatchedAt: () => 'now()' })
          .whereInIds(dispatched)
          .execute();
      }
      return dispatched.length;
    });
  }
}
