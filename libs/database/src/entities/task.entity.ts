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

export enum TaskStatus {
  Todo = 'TODO',
  InProgress = 'IN_PROGRESS',
  Done = 'DONE',
}

/** A task of the workspace. `version` is the optimistic lock: every change increments it. */
@Entity({ name: 'tasks' })
@Check('tasks_title_length', 'char_length("title") BETWEEN 1 AND 200')
@Check('tasks_description_length', 'char_length("description") <= 20000')
@Index('tasks_list_idx', ['createdAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('tasks_assignee_list_idx', ['assigneeId', 'createdAt', 'id'], { where: '"deleted_at" IS NULL' })
@Index('tasks_creator_list_idx', ['creatorId', 'createdAt', 'id'], { where: '"deleted_at" IS NULL' })
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  creatorId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'creator_id', foreignKeyConstraintName: 'tasks_creator_id_fkey' })
  creator!: Relation<UserEntity>;

  @Column({ type: 'uuid', nullable: true })
  assigneeId!: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'assignee_id', foreignKeyConstraintName: 'tasks_assignee_id_fkey' })
  assignee!: Relation<UserEntity> | null;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'enum', enum: TaskStatus, enumName: 'task_status', default: TaskStatus.Todo })
  status!: TaskStatus;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  dueAt!: Date | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt!: Date;

  @DeleteDateColumn({ type: 'timestamptz', precision: 3 })
  deletedAt!: Date | null;
}
