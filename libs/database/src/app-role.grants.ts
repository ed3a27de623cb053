import { coreEnv, envPiece } from '@app/core';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { databaseEnv } from './database.config.js';
import { EMBEDDED_APP_ROLE } from './embedded.defaults.js';

/**
 * The login role the api uses. The migrator (the owner of the schema) creates it and grants it what the app needs
 * and nothing else: SELECT, INSERT, UPDATE and DELETE on the tables, USAGE on the sequences, CONNECT. It owns nothing,
 * so it cannot CREATE, ALTER, DROP or TRUNCATE, nor create roles or databases, and it cannot rewrite the migrations
 * table. Tables added by later migrations come with the same grants (ALTER DEFAULT PRIVILEGES).
 */
export interface AppRole {
  user: string;
  password: string;
}

export const appRoleEnv = envPiece({
  shape: {
    DATABASE_APP_USER: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a PostgreSQL role name (lower case, digits, _)')
      .default(EMBEDDED_APP_ROLE.user),
    DATABASE_APP_PASSWORD: z.string().min(8, 'must be at least 8 characters').default(EMBEDDED_APP_ROLE.password),
  },
  embeddedDefaults: ['DATABASE_APP_USER', 'DATABASE_APP_PASSWORD'],
  docs: {
    DATABASE_APP_USER: 'the role the api logs in as; the migrations create it and grant it DML only',
    DATABASE_APP_PASSWORD: 'its password (the migrations set it)',
  },
});

/** Every piece of the migrations' environment (`migrate run` also creates the app role). */
export const MIGRATION_ENV = [coreEnv, databaseEnv, appRoleEnv] as const;

export const appRoleFrom = (env: { DATABASE_APP_USER: string; DATABASE_APP_PASSWORD: string }): AppRole => ({
  user: env.DATABASE_APP_USER,
  password: env.DATABASE_APP_PASSWORD,
});

const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677). Sent instead of the password, so that
 * the password itself never appears in a statement, a server log or pg_stat_activity.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Runs one statement on one connection (the caller holds the transaction). */
export type RunSql = (text: string, params?: unknown[]) => Promise<unknown[]>;

/**
 * Creates the app role, or sets its password when it exists, and grants it the app's privileges in the current
 * database; idempotent. Run by the migrator after the migrations, on every deploy, inside a transaction of its own.
 */
export async function grantAppRole(sql: RunSql, role: AppRole, migrationsTable = 'migrations'): Promise<void> {
  const run = formatRunner(sql);
  const [{ exists }] = (await sql('SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists', [
    role.user,
  ])) as [{ exists: boolean }];
  const verifier = scramVerifier(role.password);
  if (exists) await run('ALTER ROLE %I WITH LOGIN PASSWORD %L', role.user, verifier);
  else await run('CREATE ROLE %I WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD %L', role.user, verifier);
  await grantAppDatabase(sql, role.user, migrationsTable);
}

/**
 * The app role's privileges in the current database (the role exists already). A copy of a database (`CREATE
 * DATABASE ... TEMPLATE`) has its tables' grants and default privileges, not the database's own: this gives those.
 */
export async function grantAppDatabase(sql: RunSql, user: string, migrationsTable = 'migrations'): Promise<void> {
  const run = formatRunner(sql);
  const [{ database }] = (await sql('SELECT current_database() AS database')) as [{ database: string }];
  await run('GRANT CONNECT ON DATABASE %I TO %I', database, user);
  // No temporary tables and no objects in public for anyone but the owner.
  await run('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', database);
  await run('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  await run('GRANT USAGE ON SCHEMA public TO %I', user);
  await run('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', user);
  await run('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', user);
  await run('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', user);
  await run('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', user);
  // The migrations table is the migrator's: the app may read it, never write it.
  await run('REVOKE INSERT, UPDATE, DELETE ON TABLE %I FROM %I', migrationsTable, user);
}

/** Runs `format(template, ...args)` as a statement: format() quotes names (%I) and literals (%L) on the server. */
const formatRunner =
  (sql: RunSql) =>
  async (template: string, ...args: string[]): Promise<void> => {
    const [{ statement }] = (await sql('SELECT format($1, VARIADIC $2::text[]) AS statement', [template, args])) as [
      { statement: string },
    ];
    await sql(statement);
  };
