import { BoardEntity } from './board.entity.js';
import { OutboxEntity } from './outbox.entity.js';
import { TaskEventEntity } from './task-event.entity.js';
import { TaskEntity } from './task.entity.js';
import { UserEntity } from './user.entity.js';

export { BoardEntity } from './board.entity.js';
export { OutboxEntity } from './outbox.entity.js';
export { TaskEventEntity, TaskEventType, type FieldChange } from './task-event.entity.js';
export { TaskEntity, TaskStatus } from './task.entity.js';
export { UserEntity } from './user.entity.js';

/** Every entity, listed explicitly so that builds, tests and the migration CLI see the same set. */
export const ENTITIES = [UserEntity, BoardEntity, TaskEntity, TaskEventEntity, OutboxEntity];
