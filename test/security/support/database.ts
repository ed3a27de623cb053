import type { TestDatabase } from '@app/testing';
import pg from 'pg';

/** The tables a client could change through the api. */
export const WATCHED_TABLES = ['users', 'boards', 'tasks', 'task_events', 'outbox'] as const;

export type TableFingerprint = Record<(typeof WATCHED_TABLES)[number], { rows: number; checksum: string }>;

/**
 * A suite's view of its database behind the api's back, over a small pool of its own: fingerprints of the watched
 * tables and plain statements on the primary. (Rows a test needs come from the factories: support/fixtures.ts.)
 */
export class DatabaseWatch {
  private readonly primary: pg.Pool;

  constructor(database: TestDatabase) {
    this.primary = new pg.Pool({ connectionString: database.primaryUrl, max: 2 });
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

  /** One statement on the primary. */
  async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.primary.query<T>(sql, params)).rows;
  }

  async close(): Promise<void> {
    await this.primary.end();
  }
}
