import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Work to hand to the queue, written in the same transaction as the change that calls for it, so that a change is
 * never committed without its notification (or the other way round). Dispatched rows keep `dispatchedAt`.
 */
@Entity({ name: 'outbox' })
@Index('outbox_pending_idx', ['createdAt'], { where: '"dispatched_at" IS NULL' })
export class OutboxEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The job name on the queue, e.g. `mail`. */
  @Column({ type: 'varchar', length: 50 })
  kind!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  dispatchedAt!: Date | null;
}
