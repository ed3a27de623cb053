import pg from 'pg';

/**
 * Where factories write: the primary (the app role may insert into every table a factory fills), and optionally the
 * replica whose replay they wait for. A {@link TestDatabase} is one; without `replicaUrl` nothing waits (for a suite
 * that pauses replay or stops the replica).
 */
export interface FixtureTarget {
  primaryUrl: string;
  /** When given, a factory returns once this replica has its rows, so that a read the api routes there finds them. */
  replicaUrl?: string;
}

/** Column name to value; `undefined` leaves the column to its default, as an entity's unset property does. */
export type FixtureRow = { id: string } & Record<string, unknown>;

/** Rows per INSERT statement: well below PostgreSQL's 65 535 parameters for any table here. */
const ROWS_PER_STATEMENT = 1_000;
const REPLAY_TIMEOUT_MS = 10_000;
const REPLAY_POLL_MS = 20;

/** The one place factories speak SQL: inserts on the primary, in one transaction, then the wait for the replica. */
export class FixtureWriter {
  constructor(private readonly target: FixtureTarget) {}

  /** Inserts `rows` into `table` and returns them as written (`RETURNING *`, snake_case keys), in the given order. */
  async insert<T extends { id: string }>(table: string, rows: readonly FixtureRow[]): Promise<T[]> {
    if (rows.length === 0) return [];
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    const written = await onClient(this.target.primaryUrl, async (client) => {
      await client.query('BEGIN');
      const result: T[] = [];
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const params: unknown[] = [];
        const tuples = rows.slice(start, start + ROWS_PER_STATEMENT).map((row) => {
          const values = columns.map((column) => {
            if (row[column] === undefined) return 'DEFAULT';
            params.push(row[column]);
            return `$${params.length}`;
          });
          return `(${values.join(', ')})`;
        });
        const { rows: inserted } = await client.query<T>(
          `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')} RETURNING *`,
          params,
        );
        result.push(...inserted);
      }
      await client.query('COMMIT');
      return result;
    });
    const byId = new Map(written.map((row) => [row.id, row]));
    await this.replayed(table, [...byId.keys()]);
    return rows.map((row) => byId.get(row.id)!);
  }

  /** Waits until the replica (when there is one) has replayed the rows `ids` of `table`. */
  private async replayed(table: string, ids: string[]): Promise<void> {
    if (!this.target.replicaUrl) return;
    await onClient(this.target.replicaUrl, async (client) => {
      const deadline = Date.now() + REPLAY_TIMEOUT_MS;
      for (;;) {
        const { rows } = await client.query<{ count: number }>(
          `SELECT count(*)::int AS count FROM ${table} WHERE id = ANY($1::uuid[])`,
          [ids],
        );
        if (rows[0].count === ids.length) return;
        if (Date.now() > deadline)
          throw new Error(`${ids.length - rows[0].count} of ${ids.length} rows of ${table} did not reach the replica`);
        await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
      }
    });
  }
}

async function onClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
