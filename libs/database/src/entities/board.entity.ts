import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { UserEntity } from './user.entity.js';

/**
 * A post on the shared board (게시글). Soft-deleted rows stay with `deletedAt`. Times have millisecond precision so
 * that a keyset cursor built from a JavaScript Date matches the row exactly.
 */
@Entity({ name: 'boards' })
@Check('boards_title_length', 'char_length("title") BETWEEN 1 AND 200')
@Check('boards_content_length', 'char_length("content") BETWEEN 1 AND 20000')
@Index('boards_list_idx', ['createdAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('boards_author_list_idx', ['authorId', 'createdAt', 'id'], { where: '"deleted_at" IS NULL' })
export class BoardEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  authorId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'author_id', foreignKeyConstraintName: 'boards_author_id_fkey' })
  author!: Relation<UserEntity>;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  content!: string;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @DeleteDateColumn({ type: 'timestamptz', precision: 3 })
  deletedAt!: Date | null;
}
