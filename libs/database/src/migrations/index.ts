/** Every migration in order. `npm run migration:generate` appends new ones here. */
import type { MigrationInterface } from 'typeorm';
import { CreateUsers1795429726871 } from './1795429726871-create-users.js';
import { CreateBoards1795433010155 } from './1795433010155-create-boards.js';
import { CreateTasks1795435515454 } from './1795435515454-create-tasks.js';
import { CreateOutbox1795436045737 } from './1795436045737-create-outbox.js';
import { ListAndContentConstraints1795442429670 } from './1795442429670-list-and-content-constraints.js';
import { PendingSignupsLeaveUsers1796457600000 } from './1796457600000-pending-signups-leave-users.js';
import { UsersClosedAt1796464800000 } from './1796464800000-users-closed-at.js';

export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CreateUsers1795429726871,
  CreateBoards1795433010155,
  CreateTasks1795435515454,
  CreateOutbox1795436045737,
  ListAndContentConstraints1795442429670,
  PendingSignupsLeaveUsers1796457600000,
  UsersClosedAt1796464800000,
];
