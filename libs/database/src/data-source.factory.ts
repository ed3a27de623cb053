import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from './database.config.js';
import { ENTITIES } from './entities/index.js';
import { MIGRATIONS } from './migrations/index.js';
import { clientWithPassword, type RotatingPassword } from './rotating-password.provider.js';
import { SnakeNamingStrategy } from './snake-naming.strategy.js';
import { TypeOrmLogger } from './typeorm.logger.js';

export type NodeRole = 'primary' | 'replica';

/**
 * Options for one PostgreSQL node. pg waits forever by default; every wait here is bounded so that a dead node turns
 * into a fast error (503 for the primary, a fallback for a replica).
 */
export function dataSourceOptions(
  url: string,
  role: NodeRole,
  config: DatabaseConfig,
  password?: RotatingPassword,
): DataSourceOptions {
  const { statementTimeoutMs, queryTimeoutMs, connectTimeoutMs } = timeoutsOf(role, config);
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: role === 'primary' ? MIGRATIONS : [],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; nothing to install (replicas could not anyway).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    migrationsRun: false,
    logger: new TypeOrmLogger(`Database:${role}`),
    maxQueryExecutionTime: 1_000,
    applicationName: `${config.applicationName}-${role}`,
    connectTimeoutMS: connectTimeoutMs,
    poolSize: config.poolSize,
    extra: {
      statement_timeout: statementTimeoutMs,
      query_timeout: queryTimeoutMs,
      idle_in_transaction_session_timeout: 30_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
      // Each new connection of the pool asks for the current password.
      ...(password && { Client: clientWithPassword(password) }),
    },
  };
}

// The server gives up on a statement first; the client only as a last resort (a dead socket), so that a connection is
// never returned to the pool with a statement still running on it.
function timeoutsOf(role: NodeRole, config: DatabaseConfig) {
  const statementTimeoutMs = role === 'replica' ? config.replicaTimeoutMs : config.statementTimeoutMs;
  return {
    statementTimeoutMs,
    queryTimeoutMs: statementTimeoutMs + 1_000,
    connectTimeoutMs: role === 'replica' ? Math.min(config.connectTimeoutMs, 1_000) : config.connectTimeoutMs,
  };
}

export const createDataSource = (
  url: string,
  role: NodeRole,
  config: DatabaseConfig,
  password?: RotatingPassword,
): DataSource => new DataSource(dataSourceOptions(url, role, config, password));

/** A connection of its own for the node's health probe, with the pool's bounded waits. */
export function createProbeClient(
  url: string,
  role: NodeRole,
  config: DatabaseConfig,
  password?: RotatingPassword,
): pg.Client {
  const { connectTimeoutMs } = timeoutsOf(role, config);
  const Client = password ? clientWithPassword(password) : pg.Client;
  return new Client({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: connectTimeoutMs,
    query_timeout: connectTimeoutMs + 1_000,
    application_name: `${config.applicationName}-${role}-probe`,
  });
}
