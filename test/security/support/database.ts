import type { TestDatabase } from '@app/testing';
import pg from 'pg';

/** The tables a client could change through the api. */
export const WATCHED_TABLES = ['users', 'boards', 'tasks', 'task_events', 'outbox'] as const;

export type TableFingerprint = Record<(typeof WATCHED_TABLES)[number], { rows: number; checksum: string }>;

/**
 * A suite's view of its database behind the api's back, over a small pool of its own: fingerprints of the watched
 * tables, and rows written straight to the primary for tests that need many objects of given owners quickly.
 */
export class DatabaseWatch {
  private readonly primary: pg.Pool;
  private readonly replica: pg.Pool;

  constructor(database: TestDatabase) {
    this.primary = new pg.Pool({ connectionString: database.primaryUrl, max: 2 });
    this.replica = new pg.Pool({ connectionString: database.replicaUrl, max: 1 });
  }

  /**
   * Row count and an md5 of every row, per watched table, read on the primary in one statement. The outbox's
   * `dispatched_at` and `payload` are left out: the dispatcher sets the one and empties the other in the background,
   * for rows of earlier, accepted requests (a new row still changes the count).
   */
  async fingerprint(): Promise<TableFingerprint> {
    const sql = WATCHED_TABLES.map(
      (table) =>
        `SELECT '${table}' AS name, count(*)::int AS rows,
                coalesce(md5(string_agg((to_jsonb(t) - 'dispatched_at' - 'payload')::text, '|' ORDER BY t.id)), '') AS checksum
           FROM ${table} t`,
    ).join(' UNION ALL ');
    const { rows } = await this.primary.query<{ name: string; rows: number; checksum: string }>(sql);
    return Object.fromEntries(rows.map(({ name, ...row }) => [name, row])) as TableFingerprint;
  }

  async board(authorId: string): Promise<string> {
    const { rows } = await this.primary.query<{ id: string }>(
      `INSERT INTO boards (author_id, title, content) VALUES ($1, 'fixture board', 'fixture content') RETURNING id`,
      [authorId],
    );
    await this.replicated('boards', rows[0].id);
    return rows[0].id;
  }

  async task(creatorId: string, assigneeId: string | null = null): Promise<string> {
    const { rows } = await this.primary.query<{ id: string }>(
      `INSERT INTO tasks (creator_id, assignee_id, title) VALUES ($1, $2, 'fixture task') RETURNING id`,
      [creatorId, assigneeId],
    );
    await this.replicated('tasks', rows[0].id);
    return rows[0].id;
  }

  /** One statement on the primary. */
  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.primary.query<T>(sql, params)).rows;
  }

  async close(): Promise<void> {
    await Promise.all([this.primary.end(), this.replica.end()]);
  }

  /** Waits (5 s at most) until the replica has replayed the row, so that a read the api sends there finds it. */
  private async replicated(table: 'boards' | 'tasks', id: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while ((await this.replica.query(`SELECT 1 FROM ${table} WHERE id = $1`, [id])).rowCount === 0) {
      if (Date.now() > deadline) throw new Error(`${table} ${id} did not reach the replica`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
