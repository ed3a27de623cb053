import { createDataSource, type DatabaseConfig } from '@app/database';
import { freePort, PostgresCluster } from '@app/embedded';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asRole, grantAppRoleOn, TEST_APP_ROLE, testStack, withDatabase, type TestDatabase } from './test.stack.js';

export { freePort };

/** Applies every migration to the database at `url`. */
export async function migrate(url: string): Promise<void> {
  const config: DatabaseConfig = {
    primaryUrl: url,
    replicaUrls: [],
    poolSize: 1,
    poolWaitMs: 5_000,
    connectTimeoutMs: 5_000,
    statementTimeoutMs: 60_000,
    replicaTimeoutMs: 5_000,
    readYourWritesWindowMs: 60_000,
    replicaMaxLagMs: 10_000,
    countCacheMs: 0,
    applicationName: 'modak-test-migrations',
  };
  const dataSource = createDataSource(url, 'primary', config);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

export interface MigratedCluster {
  cluster: PostgresCluster;
  dir: string;
  /** As the app role ({@link TEST_APP_ROLE}). */
  primaryUrl: string;
  replicaUrl: string;
  /** As the owner, who migrated it. */
  ownerUrl: string;
}

export interface MigratedClusterOptions {
  /** Where the cluster lives (deleted by `cluster.destroy()`); a new temp folder when left out. */
  dir?: string;
  /** fsync and full-page writes on, as in production (the benchmark); tests trade them for speed. */
  durable?: boolean;
}

/**
 * A throwaway primary + streaming replica in a temp folder on free ports, with `database` created and migrated by its
 * owner, who then grants the app role its privileges, as a deploy does.
 * The e2e run shares one; a suite that stops the replica or pauses its replay starts its own.
 */
export async function startMigratedCluster(
  database = 'modak',
  options: MigratedClusterOptions = {},
): Promise<MigratedCluster> {
  const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'modak-pg-')));
  const cluster = await PostgresCluster.start({
    dir,
    primaryPort: await freePort(),
    replicaPort: await freePort(),
    user: 'modak',
    database: 'postgres',
    ephemeral: !options.durable,
  });
  const ownerUrl = withDatabase(cluster.primaryUrl, database);
  try {
    await cluster.query('primary', `CREATE DATABASE "${database}"`);
    await migrate(ownerUrl);
    await grantAppRoleOn(ownerUrl);
    await cluster.waitForReplay();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return {
    cluster,
    dir,
    primaryUrl: asRole(ownerUrl, TEST_APP_ROLE),
    replicaUrl: asRole(withDatabase(cluster.replicaUrl, database), TEST_APP_ROLE),
    ownerUrl,
  };
}

/** A suite's view of a cluster of its own: its database, and Redis keys under the run's prefix and `keySuffix`. */
export const clusterDatabase = (stack: MigratedCluster, name: string, keySuffix: string): TestDatabase => ({
  name,
  primaryUrl: stack.primaryUrl,
  replicaUrl: stack.replicaUrl,
  ownerUrl: stack.ownerUrl,
  redisKeyPrefix: `${testStack().redisKeyPrefix}:${keySuffix}`,
});
