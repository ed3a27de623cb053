import { LoggingModule, requestContext, type Env } from '@app/core';
import { Database, DatabaseModule, type DatabaseHealth } from '@app/database';
import { RedisModule } from '@app/redis';
import type { TestDatabase } from '@app/testing';
import type { ModuleMetadata } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { loadApiConfig, type ApiConfig } from '../../../apps/api/src/api.config.js';
import { testApiEnv } from '../../support/api-env.js';
import { fixtures, type Fixtures } from '../../support/fixtures.js';

export interface Medium {
  module: TestingModule;
  /** The api's configuration the module was built from (the suite's database, Redis prefix and keys). */
  config: ApiConfig;
  /** The read routing over the suite's primary and replica. */
  database: Database;
  /** The factories, on the suite's database (they wait for its replica). */
  fixtures: Fixtures;
  /** Shuts the module down (once, however often it is called), as a stopping api does. */
  close(): Promise<void>;
}

/**
 * The api's own modules in a Nest testing module, without HTTP: Redis and the database (primary, replica, read
 * routing) from the api's configuration for `database`, plus what the suite adds (`metadata`, given that
 * configuration). `env` overrides the api's environment, as `testApiEnv` does for a whole api.
 */
export async function startMedium(
  database: TestDatabase,
  metadata: (config: ApiConfig) => Pick<ModuleMetadata, 'imports' | 'providers'> = () => ({}),
  env: Env = {},
): Promise<Medium> {
  const config = loadApiConfig(testApiEnv(database, env));
  const { imports = [], providers = [] } = metadata(config);
  const module = await Test.createTestingModule({
    imports: [
      LoggingModule.forRoot({ level: config.logLevel, service: 'medium' }),
      RedisModule.forRoot(config.redis, 'medium'),
      DatabaseModule.forRoot(config.database),
      ...imports,
    ],
    providers,
  }).compile();
  await module.init();
  let closed: Promise<void> | undefined;
  return {
    module,
    config,
    database: module.get(Database),
    fixtures: fixtures(database),
    close: () => (closed ??= module.close()),
  };
}

/** Runs `work` as a request of the client `consistencyKey` (as the access guard names it), or of nobody known. */
export const asClient = <T>(consistencyKey: string | undefined, work: () => Promise<T>): Promise<T> =>
  requestContext.run({ requestId: randomUUID(), consistencyKey }, work);

export type NodeKind = 'primary' | 'replica';

/** Which kind of node serves a plain read of `client` now, and whether it sees the member named `nickname`. */
export const readAs = (
  database: Database,
  client?: string,
  nickname = '',
): Promise<{ node: NodeKind; found: boolean }> =>
  asClient(client, () =>
    database.read(async (manager) => {
      const [row] = await manager.query<{ replica: boolean; found: boolean }[]>(
        'SELECT pg_is_in_recovery() AS replica, EXISTS (SELECT 1 FROM users WHERE nickname = $1) AS found',
        [nickname],
      );
      return { node: row.replica ? 'replica' : 'primary', found: row.found };
    }),
  );

/** Which kind of node serves a plain read of `client` now. */
export const readServedBy = async (database: Database, client?: string): Promise<NodeKind> =>
  (await readAs(database, client)).node;

/**
 * A write of `client` (a new member) through the routing's own write, the behaviour under test (the position it
 * records), not a fixture: fixtures come from `Medium.fixtures`. Returns the member's nickname.
 */
export const writeAs = (database: Database, client?: string): Promise<string> =>
  asClient(client, async () => {
    const nickname = `w-${randomUUID().slice(0, 8)}`;
    await database.write((manager) => manager.query('INSERT INTO users (nickname) VALUES ($1)', [nickname]));
    return nickname;
  });

/** Readiness from a probe that starts now (`health()` joins a probe under way, which may predate the caller's step). */
export async function probedHealth(database: Database): Promise<DatabaseHealth> {
  await database.health();
  return database.health();
}
