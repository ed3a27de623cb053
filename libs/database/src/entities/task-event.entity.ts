import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { TaskEntity } from './task.entity.js';
import { UserEntity } from './user.entity.js';

export enum TaskEventType {
  Created = 'CREATED',
  Updated = 'UPDATED',
  StatusChanged = 'STATUS_CHANGED',
  Assigned = 'ASSIGNED',
  Deleted = 'DELETED',
}

/** One field's change: what it was and what it became. */
export interface FieldChange {
  old: unknown;
  new: unknown;
}

/** The activity log of a task: one row per create or change, written in the change's own transaction. */
@Entity({ name: 'task_events' })
@Index('task_events_task_idx', ['taskId', 'createdAt', 'id'])
export class TaskEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  taskId!: string;

  @ManyToOne(() => TaskEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'task_events_task_id_fkey' })
  task!: Relation<TaskEntity>;

  @Column({ type: 'uuid' })
  actorId!: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'actor_id', foreignKeyConstraintName: 'task_events_actor_id_fkey' })
  actor!: Relation<UserEntity>;

  @Column({ type: 'enum', enum: TaskEventType, enumName: 'task_event_type' })
  type!: TaskEventType;

  @Column({ type: 'jsonb' })
  changes!: Record<string, FieldChange>;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;
}
