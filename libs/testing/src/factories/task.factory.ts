import { TaskStatus } from '@app/database';
import { randomUUID } from 'node:crypto';
import { FixtureWriter, type FixtureTarget } from './fixture.writer.js';

export interface TaskFixtureOptions {
  creatorId: string;
  /** Defaults to nobody. */
  assigneeId?: string | null;
  /** Defaults to `task <hex>`. */
  title?: string;
  /** Defaults to TODO. */
  status?: TaskStatus;
  /** A soft-deleted task; defaults to a live one. */
  deletedAt?: Date | null;
}

export interface FixtureTask {
  id: string;
  creatorId: string;
  assigneeId: string | null;
  title: string;
  status: TaskStatus;
  /** The optimistic lock's value: a change must name it. */
  version: number;
  createdAt: Date;
  deletedAt: Date | null;
}

interface TaskRow {
  id: string;
  creator_id: string;
  assignee_id: string | null;
  title: string;
  status: TaskStatus;
  version: number;
  created_at: Date;
  deleted_at: Date | null;
}

/**
 * Tasks written straight into the database: the row alone, without the creation event or mail the api's create adds,
 * for tests about what is done with a task rather than how it is made.
 */
export class TaskFactory {
  private readonly writer: FixtureWriter;

  constructor(target: FixtureTarget) {
    this.writer = new FixtureWriter(target);
  }

  async create(options: TaskFixtureOptions): Promise<FixtureTask> {
    const [task] = await this.createMany(1, () => options);
    return task;
  }

  /** `count` tasks in one transaction, the i-th with `options(i)`. */
  async createMany(count: number, options: (index: number) => TaskFixtureOptions): Promise<FixtureTask[]> {
    const rows = await this.writer.insert<TaskRow>(
      'tasks',
      Array.from({ length: count }, (_, index) => {
        const given = options(index);
        const id = randomUUID();
        return {
          id,
          creator_id: given.creatorId,
          assignee_id: given.assigneeId ?? null,
          title: given.title ?? `task ${id.slice(0, 8)}`,
          status: given.status ?? TaskStatus.Todo,
          deleted_at: given.deletedAt ?? null,
        };
      }),
    );
    return rows.map((row) => ({
      id: row.id,
      creatorId: row.creator_id,
      assigneeId: row.assignee_id,
      title: row.title,
      status: row.status,
      version: row.version,
      createdAt: row.created_at,
      deletedAt: row.deleted_at,
    }));
  }
}
