import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** What the e2e global setup started, handed to test files through one environment variable. */
export interface TestStack {
  primaryUrl: string;
  replicaUrl: string;
  /** The cluster's folder (temporary). */
  clusterDir: string;
  redisUrl: string;
  /** Every Redis key of this run starts with it; the teardown deletes them. */
  redisKeyPrefix: string;
  /** A migrated database that each suite copies (`CREATE DATABASE ... TEMPLATE`). */
  templateDatabase: string;
}

export const TEST_STACK_VARIABLE = 'MODAK_TEST_STACK';

export function testStack(): TestStack {
  const raw = process.env[TEST_STACK_VARIABLE];
  if (!raw)
    throw new Error(`${TEST_STACK_VARIABLE} is unset: run e2e tests through jest (its globalSetup starts the stack)`);
  return JSON.parse(raw) as TestStack;
}

export const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

export interface TestDatabase {
  name: string;
  primaryUrl: string;
  replicaUrl: string;
  /** A Redis key prefix of its own, so suites never see each other's keys. */
  redisKeyPrefix: string;
}

/**
 * A fresh, migrated database for one suite, copied from the template on the primary; resolves once the replica has
 * replayed its creation, so that reads can go there at once.
 */
export async function createTestDatabase(stack: TestStack = testStack()): Promise<TestDatabase> {
  const suffix = randomBytes(6).toString('hex');
  const name = `modak_${suffix}`;
  await query(stack.primaryUrl, `CREATE DATABASE "${name}" TEMPLATE "${stack.templateDatabase}"`);
  const database = {
    name,
    primaryUrl: withDatabase(stack.primaryUrl, name),
    replicaUrl: withDatabase(stack.replicaUrl, name),
    redisKeyPrefix: `${stack.redisKeyPrefix}:${suffix}`,
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await query(database.replicaUrl, 'SELECT 1');
      return database;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** One statement on a fresh connection. */
export async function query<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
