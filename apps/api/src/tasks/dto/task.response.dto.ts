import type { FieldChange, TaskEntity, TaskEventEntity, UserEntity } from '@app/database';
import { ApiProperty } from '@nestjs/swagger';

export class TaskUserDto {
  id!: string;
  nickname!: string;

  static from(user: Pick<UserEntity, 'id' | 'nickname'>): TaskUserDto {
    return { id: user.id, nickname: user.nickname };
  }
}

export class TaskResponseDto {
  id!: string;
  title!: string;
  description!: string;
  @ApiProperty({ enum: ['TODO', 'IN_PROGRESS', 'DONE'] })
  status!: string;
  creator!: TaskUserDto;
  @ApiProperty({ type: TaskUserDto, nullable: true })
  assignee!: TaskUserDto | null;
  dueAt!: Date | null;
  /** Send it back with a change (optimistic locking). */
  version!: number;
  createdAt!: Date;
  updatedAt!: Date;

  static from(task: TaskEntity): TaskResponseDto {
    return Object.assign(new TaskResponseDto(), {
      id: task.id,
      title: task.title,
      description: task.description,
      status: task.status,
      creator: TaskUserDto.from(task.creator),
      assignee: task.assignee ? TaskUserDto.from(task.assignee) : null,
      dueAt: task.dueAt,
      version: task.version,
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
    });
  }
}

export class TaskEventResponseDto {
  id!: string;
  @ApiProperty({ enum: ['CREATED', 'UPDATED', 'STATUS_CHANGED', 'ASSIGNED', 'DELETED'] })
  type!: string;
  actor!: TaskUserDto;
  /** Per field: `{ old, new }`. */
  @ApiProperty({ type: 'object', additionalProperties: { type: 'object', properties: { old: {}, new: {} } } })
  changes!: Record<string, FieldChange>;
  createdAt!: Date;

  static from(event: TaskEventEntity): TaskEventResponseDto {
    return Object.assign(new TaskEventResponseDto(), {
      id: event.id,
      type: event.type,
      actor: TaskUserDto.from(event.actor),
      changes: event.changes,
      createdAt: event.createdAt,
    });
  }
}
