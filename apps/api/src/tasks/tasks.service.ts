import {
  AppError,
  ErrorCode,
  ForbiddenError,
  NotFoundError,
  requireAnyField,
  type AuthUser,
  type List,
  type ListWindow,
  Role,
} from '@app/core';
import { TaskEventType, type FieldChange, type TaskEntity, type TaskEventEntity, TaskStatus } from '@app/database';
import { Injectable } from '@nestjs/common';
import { OutboxDispatcher } from '@api/outbox';
import { UsersService } from '@api/users';
import type { EntityManager } from 'typeorm';
import { TaskNotificationsService } from './task-notifications.service.js';
import { TasksRepository, type TaskChanges } from './tasks.repository.js';

export interface NewTask {
  title: string;
  description?: string;
  assigneeId?: string;
  dueAt?: string;
}

export interface TaskUpdate {
  version: number;
  title?: string;
  description?: string;
  status?: TaskStatus;
  assigneeId?: string | null;
  dueAt?: string | null;
}

export interface TaskQuery {
  status?: TaskStatus;
  /** A user id, or `me`. */
  assigneeId?: string;
  /** A user id, or `me`. */
  creatorId?: string;
}

const versionConflict = () =>
  new AppError(ErrorCode.VersionConflict, 'The task changed since you read it; reload it and apply your change again');

const isAdmin = (actor: AuthUser) => actor.role === Role.Admin;

/**
 * The task tracker's rules: members create and read; the creator, the assignee or an admin change; the creator or an
 * admin delete. Every create and change writes its event, and the mail it calls for (outbox), in the same transaction,
 * under an optimistic lock; the mail is handed to the queue after the commit.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly tasks: TasksRepository,
    private readonly users: UsersService,
    private readonly notifications: TaskNotificationsService,
    private readonly dispatcher: OutboxDispatcher,
  ) {}

  async create(actor: AuthUser, input: NewTask): Promise<TaskEntity> {
    if (input.assigneeId) await this.assertAssignable(input.assigneeId);
    return this.tasks
      .transaction(async (manager) => {
        const fields = {
          title: input.title,
          description: input.description ?? '',
          assigneeId: input.assigneeId ?? null,
          dueAt: input.dueAt ? new Date(input.dueAt) : null,
        };
        const id = await this.tasks.insert(manager, { creatorId: actor.id, ...fields });
        const changes = Object.fromEntries(
          Object.entries({ ...fields, status: TaskStatus.Todo }).map(([field, value]) => [
            field,
            { old: null, new: value } satisfies FieldChange,
          ]),
        );
        await this.tasks.addEvent(manager, { taskId: id, actorId: actor.id, type: TaskEventType.Created, changes });
        const task = await this.load(manager, id);
        await this.notifications.record(manager, actor.id, task, changes, true);
        return task;
      })
      .finally(() => this.dispatcher.dispatchSoon());
  }

  list(actor: AuthUser, query: TaskQuery, window: ListWindow): Promise<List<TaskEntity>> {
    const me = (value?: string) => (value === 'me' ? actor.id : value);
    return this.tasks.list(
      { status: query.status, assigneeId: me(query.assigneeId), creatorId: me(query.creatorId) },
      window,
    );
  }

  async get(id: string): Promise<TaskEntity> {
    const task = await this.tasks.findLive(id);
    if (!task) throw new NotFoundError('Task');
    return task;
  }

  async events(id: string): Promise<TaskEventEntity[]> {
    await this.get(id);
    return this.tasks.findEvents(id);
  }

  async update(actor: AuthUser, id: string, update: TaskUpdate): Promise<TaskEntity> {
    requireAnyField(update, ['title', 'description', 'status', 'assigneeId', 'dueAt']);
    if (update.assigneeId) await this.assertAssignable(update.assigneeId);
    return this.tasks
      .transaction(async (manager) => {
        // No lock: the UPDATE is conditional on the version read here, so the checks below hold for what it changes.
        const task = await this.tasks.findLiveIn(manager, id);
        if (!task) throw new NotFoundError('Task');
        if (task.creatorId !== actor.id && task.assigneeId !== actor.id && !isAdmin(actor)) {
          throw new ForbiddenError('Only the creator, the assignee or an admin can change this task');
        }
        if (task.version !== update.version) throw versionConflict();
        const changes = diff(task, update);
        if (Object.keys(changes).length === 0) return this.load(manager, id);
        const applied = Object.fromEntries(
          Object.entries(changes).map(([field, change]) => [field, change.new]),
        ) as TaskChanges;
        if (!(await this.tasks.updateAtVersion(manager, id, update.version, applied))) throw versionConflict();
        await this.tasks.addEvent(manager, { taskId: id, actorId: actor.id, type: eventType(changes), changes });
        const changed = await this.load(manager, id);
        await this.notifications.record(manager, actor.id, changed, changes, false);
        return changed;
      })
      .finally(() => this.dispatcher.dispatchSoon());
  }

  remove(actor: AuthUser, id: string): Promise<void> {
    return this.tasks.transaction(async (manager) => {
      const task = await this.tasks.lockLive(manager, id);
      if (!task) throw new NotFoundError('Task');
      if (task.creatorId !== actor.id && !isAdmin(actor)) {
        throw new ForbiddenError('Only the creator or an admin can delete this task');
      }
      await this.tasks.softDelete(manager, id);
      await this.tasks.addEvent(manager, { taskId: id, actorId: actor.id, type: TaskEventType.Deleted, changes: {} });
    });
  }

  /**
   * Leaves the open tasks of a closing account unassigned, inside the closure's transaction, each with its event (the
   * account as the actor: the closure is its own doing).
   */
  async unassignAll(manager: EntityManager, userId: string): Promise<void> {
    for (const task of await this.tasks.lockOpenAssignedTo(manager, userId)) {
      await this.tasks.updateAtVersion(manager, task.id, task.version, { assigneeId: null });
      const changes = { assigneeId: { old: userId, new: null } };
      await this.tasks.addEvent(manager, { taskId: task.id, actorId: userId, type: TaskEventType.Assigned, changes });
    }
  }

  private async load(manager: EntityManager, id: string): Promise<TaskEntity> {
    const task = await this.tasks.findLiveIn(manager, id);
    if (!task) throw new NotFoundError('Task');
    return task;
  }

  /** The assignee must be an existing member who is not banned. */
  private async assertAssignable(userId: string): Promise<void> {
    const user = await this.users.findByIdForAccess(userId);
    if (!user || user.bannedAt) {
      throw new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', {
        errors: [{ field: 'assigneeId', message: 'assigneeId must be an active member' }],
      });
    }
  }
}

/** What the update really changes, field by field (old and new values as the API shows them). */
function diff(task: TaskEntity, update: TaskUpdate): Record<string, FieldChange> {
  const proposed: Record<string, unknown> = {
    title: update.title,
    description: update.description,
    status: update.status,
    assigneeId: update.assigneeId,
    dueAt: update.dueAt === undefined || update.dueAt === null ? update.dueAt : new Date(update.dueAt).toISOString(),
  };
  const current: Record<string, unknown> = { ...task, dueAt: task.dueAt?.toISOString() ?? null };
  return Object.fromEntries(
    Object.entries(proposed)
      .filter(([field, value]) => value !== undefined && value !== current[field])
      .map(([field, value]) => [field, { old: current[field] ?? null, new: value }]),
  );
}

function eventType(changes: Record<string, FieldChange>): TaskEventType {
  const fields = Object.keys(changes);
  if (fields.length === 1 && fields[0] === 'status') return TaskEventType.StatusChanged;
  if (fields.length === 1 && fields[0] === 'assigneeId') return TaskEventType.Assigned;
  return TaskEventType.Updated;
}
