import { grantAppDatabase, grantAppRole, type AppRole, type RunSql } from '@app/database';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The role the apps under test log in as, with the privileges production's api gets (app-role.grants.ts). */
export const TEST_APP_ROLE: AppRole = { user: 'modak_app', password: 'modak-app-test' };

/** What the e2e global setup started, handed to test files through one environment variable. */
export interface TestStack {
  /** As the app role, like every app under test. */
  primaryUrl: string;
  replicaUrl: string;
  /** As the owner of the databases (migrations, CREATE DATABASE). */
  ownerUrl: string;
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

/** `url` as `role` (its user and password). */
export const asRole = (url: string, role: AppRole): string => {
  const parsed = new URL(url);
  parsed.username = role.user;
  parsed.password = role.password;
  return parsed.toString();
};

export interface TestDatabase {
  name: string;
  /** As the app role. */
  primaryUrl: string;
  replicaUrl: string;
  /** As the owner: for what only a migration may do. */
  ownerUrl: string;
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
  await query(stack.ownerUrl, `CREATE DATABASE "${name}" TEMPLATE "${stack.templateDatabase}"`);
  const ownerUrl = withDatabase(stack.ownerUrl, name);
  // The copy has the template's table grants; its database-level ones are its own. (Only these: suites create their
  // databases at once, and concurrent changes of the one role would collide.)
  await onConnection(ownerUrl, (sql) => grantAppDatabase(sql, TEST_APP_ROLE.user));
  const database = {
    name,
    primaryUrl: withDatabase(stack.primaryUrl, name),
    replicaUrl: withDatabase(stack.replicaUrl, name),
    ownerUrl,
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

/** Creates {@link TEST_APP_ROLE} and grants it the app's privileges in the database at `ownerUrl`, as a deploy does. */
export const grantAppRoleOn = (ownerUrl: string): Promise<void> =>
  onConnection(ownerUrl, (sql) => grantAppRole(sql, TEST_APP_ROLE));

/** Runs `work` in one transaction on a connection of its own. */
async function onConnection(url: string, work: (sql: RunSql) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query('BEGIN');
    await work(async (text, params) => (await client.query<Record<string, unknown>>(text, params)).rows);
    await client.query('COMMIT');
  } finally {
    await client.end();
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
