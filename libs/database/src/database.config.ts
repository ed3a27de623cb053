import { envPiece, intVar, listVar, urlVar } from '@app/core';
import { z } from 'zod';

const postgresUrl = urlVar('postgres', 'postgresql');

export const databaseEnv = envPiece({
  shape: {
    DATABASE_URL: postgresUrl,
    DATABASE_REPLICA_URLS: listVar(postgresUrl),
    DATABASE_POOL_SIZE: intVar(10, 1, 200),
    DATABASE_POOL_WAIT_MS: intVar(500, 10, 60_000),
    DATABASE_CONNECT_TIMEOUT_MS: intVar(2_000, 100, 60_000),
    DATABASE_STATEMENT_TIMEOUT_MS: intVar(10_000, 100, 600_000),
    DATABASE_REPLICA_TIMEOUT_MS: intVar(3_000, 100, 600_000),
    DATABASE_READ_YOUR_WRITES_WINDOW_MS: intVar(60_000, 1_000, 3_600_000),
    DATABASE_REPLICA_MAX_LAG_MS: intVar(10_000, 1_000, 600_000),
    DATABASE_COUNT_CACHE_MS: intVar(5_000, 0, 600_000),
    DATABASE_PASSWORD_SECRET_ID: z.string().min(1).optional(),
  },
  docs: {
    DATABASE_URL: {
      meaning: '`postgres://user:pass@host:port/db`, the primary (the api: the app role; migrations: the owner)',
      default: 'embedded primary (`npm start`)',
    },
    DATABASE_REPLICA_URLS: {
      meaning: 'comma-separated read replicas',
      default: 'embedded replica (`npm start`); empty = none',
    },
    DATABASE_POOL_SIZE: 'connections per pool (primary and each replica)',
    DATABASE_POOL_WAIT_MS: 'a request waiting longer for a client of a busy pool answers 503 `OVERLOADED`',
    DATABASE_CONNECT_TIMEOUT_MS: 'bounded wait for a connection: a dead database is a fast 503',
    DATABASE_STATEMENT_TIMEOUT_MS: 'server-side limit on one statement',
    DATABASE_REPLICA_TIMEOUT_MS: 'a replica read running longer is cancelled: 503 `OVERLOADED`, the replica stays',
    DATABASE_READ_YOUR_WRITES_WINDOW_MS: 'how long after a write a client may need the primary',
    DATABASE_REPLICA_MAX_LAG_MS: 'a replica further behind leaves rotation until it catches up',
    DATABASE_COUNT_CACHE_MS: "how long a numbered page's total is shared before it is counted again; 0 = never",
    DATABASE_PASSWORD_SECRET_ID:
      "a Secrets Manager secret whose `password` each new connection uses instead of the URL's, so it can rotate",
  },
});

export interface DatabaseConfig {
  primaryUrl: string;
  replicaUrls: string[];
  poolSize: number;
  /** How long a work may wait for a client of a busy pool before it is shed (503 OVERLOADED). */
  poolWaitMs: number;
  connectTimeoutMs: number;
  /** Server-side limit on one statement (primary and replicas). */
  statementTimeoutMs: number;
  /** A replica read slower than this is abandoned and served by the primary. */
  replicaTimeoutMs: number;
  /** How long after a write a client's reads may still need the primary (the bound of read-your-writes). */
  readYourWritesWindowMs: number;
  /** A replica further behind than this leaves rotation until it catches up. */
  replicaMaxLagMs: number;
  /** How long a numbered page's total is shared before it is counted again (0: every request counts). */
  countCacheMs: number;
  /** Seen in pg_stat_activity. */
  applicationName: string;
  /**
   * A Secrets Manager secret whose `password` field each new connection uses instead of the URLs' password, so that
   * the password can rotate under a running process (rotating-password.provider.ts).
   */
  passwordSecretId?: string;
}

export const databaseConfigFrom = (
  env: z.infer<z.ZodObject<typeof databaseEnv.shape>>,
  applicationName: string,
): DatabaseConfig => ({
  primaryUrl: env.DATABASE_URL,
  replicaUrls: env.DATABASE_REPLICA_URLS,
  poolSize: env.DATABASE_POOL_SIZE,
  poolWaitMs: env.DATABASE_POOL_WAIT_MS,
  connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
  statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  replicaTimeoutMs: env.DATABASE_REPLICA_TIMEOUT_MS,
  readYourWritesWindowMs: env.DATABASE_READ_YOUR_WRITES_WINDOW_MS,
  replicaMaxLagMs: env.DATABASE_REPLICA_MAX_LAG_MS,
  countCacheMs: env.DATABASE_COUNT_CACHE_MS,
  applicationName,
  passwordSecretId: env.DATABASE_PASSWORD_SECRET_ID,
});
