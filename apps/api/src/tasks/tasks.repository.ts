import type { List, ListWindow } from '@app/core';
import { Database, TaskEntity, TaskEventEntity, TaskStatus, type FieldChange, type TaskEventType } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';

export interface TaskFilter {
  status?: string;
  assigneeId?: string;
  creatorId?: string;
}

export type TaskChanges = Partial<Pick<TaskEntity, 'title' | 'description' | 'status' | 'assigneeId' | 'dueAt'>>;

/** The tasks and task_events tables. */
@Injectable()
export class TasksRepository {
  constructor(private readonly database: Database) {}

  findLive(id: string): Promise<TaskEntity | null> {
    return this.database.read((manager) => this.live(manager).andWhere('task.id = :id', { id }).getOne());
  }

  list(filter: TaskFilter, window: ListWindow): Promise<List<TaskEntity>> {
    const filtered = (query: SelectQueryBuilder<TaskEntity>) => {
      if (filter.status) query.andWhere('task.status = :status', { status: filter.status });
      if (filter.assigneeId) query.andWhere('task.assigneeId = :assigneeId', { assigneeId: filter.assigneeId });
      if (filter.creatorId) query.andWhere('task.creatorId = :creatorId', { creatorId: filter.creatorId });
      return query;
    };
    return this.database.readList('task', window, (manager) => ({
      rows: filtered(this.live(manager)),
      counted: filtered(this.rows(manager)),
    }));
  }

  findEvents(taskId: string): Promise<TaskEventEntity[]> {
    return this.database.read((manager) =>
      manager
        .createQueryBuilder(TaskEventEntity, 'event')
        .innerJoin('event.actor', 'actor')
        .addSelect(['actor.id', 'actor.nickname'])
        .where('event.taskId = :taskId', { taskId })
        .orderBy('event.createdAt', 'ASC')
        .addOrderBy('event.id', 'ASC')
        .getMany(),
    );
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.database.transaction(work);
  }

  async insert(
    manager: EntityManager,
    task: Pick<TaskEntity, 'creatorId' | 'title' | 'description' | 'assigneeId' | 'dueAt'>,
  ): Promise<string> {
    const { id } = await manager.save(manager.create(TaskEntity, task));
    return id;
  }

  /** The live row, locked until the transaction ends (for a delete, which carries no version). */
  lockLive(manager: EntityManager, id: string): Promise<TaskEntity | null> {
    return manager
      .createQueryBuilder(TaskEntity, 'task')
      .setLock('pessimistic_write')
      .where('task.id = :id AND task.deletedAt IS NULL', { id })
      .getOne();
  }

  /**
   * Applies `changes` only if the row is still at `version` (optimistic lock): `UPDATE ... WHERE version = $v`.
   * False when another change got there first.
   */
  async updateAtVersion(manager: EntityManager, id: string, version: number, changes: TaskChanges): Promise<boolean> {
    const result = await manager
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ ...changes, version: () => 'version + 1' })
      .where('id = :id AND version = :version AND deleted_at IS NULL', { id, version })
      .execute();
    return result.affected === 1;
  }

  async softDelete(manager: EntityManager, id: string): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ deletedAt: () => 'now()', version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  async addEvent(
    manager: EntityManager,
    event: { taskId: string; actorId: string; type: TaskEventType; changes: Record<string, FieldChange> },
  ): Promise<void> {
    await manager.save(manager.create(TaskEventEntity, event));
  }

  /** The live tasks not done yet that `userId` is assigned to, locked until the transaction ends. */
  lockOpenAssignedTo(manager: EntityManager, userId: string): Promise<TaskEntity[]> {
    return manager
      .createQueryBuilder(TaskEntity, 'task')
      .setLock('pessimistic_write')
      .where('task.assigneeId = :userId AND task.deletedAt IS NULL AND task.status <> :done', {
        userId,
        done: TaskStatus.Done,
      })
      .getMany();
  }

  findLiveIn(manager: EntityManager, id: string): Promise<TaskEntity | null> {
    return this.live(manager).andWhere('task.id = :id', { id }).getOne();
  }

  /** Live tasks with their creator's and assignee's id and nickname. */
  private live(manager: EntityManager): SelectQueryBuilder<TaskEntity> {
    return this.rows(manager)
      .innerJoin('task.creator', 'creator')
      .addSelect(['creator.id', 'creator.nickname'])
      .leftJoin('task.assignee', 'assignee')
      .addSelect(['assignee.id', 'assignee.nickname']);
  }

  private rows(manager: EntityManager): SelectQueryBuilder<TaskEntity> {
    return manager.createQueryBuilder(TaskEntity, 'task').where('task.deletedAt IS NULL');
  }
}
