import { DependencyUnavailableError, isDependencyFailure } from '@app/core';
import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DatabaseNode, NodeStatus } from './database-node.js';
import { sqlStateOf } from '../sql-errors.js';
import { hasReplayed, LATEST_POSITION } from './lsn.js';
import { ReadYourWrites, UNKNOWN_POSITION } from './read-your-writes.js';

/** SQLSTATE 40001 on a hot standby: "canceling statement due to conflict with recovery". */
const isRecoveryConflict = (error: unknown): boolean => sqlStateOf(error) === '40001';

export type Work<T> = (manager: EntityManager) => Promise<T>;

export interface DatabaseHealth {
  primary: NodeStatus;
  replicas: NodeStatus[];
  /** Reads are being served by the primary because no replica is usable (none configured counts as usable). */
  degraded: boolean;
}

const REPLAY_LSN_QUERY = 'SELECT pg_last_wal_replay_lsn()::text AS lsn';
const PRIMARY_LSN_QUERY = 'SELECT pg_current_wal_lsn()::text AS lsn';
const WRITE_LSN_QUERY = 'SELECT pg_current_wal_insert_lsn()::text AS lsn';

export interface DatabaseCounters {
  replicaReads: number;
  primaryReads: number;
  fallbacks: number;
}

/**
 * Where every query goes. Reads go to a healthy replica that has replayed the client's last write; otherwise, and
 * when a replica fails mid-read, to the primary. Writes and transactions go to the primary and record their WAL
 * position for the client. Services and repositories say what they do (`read`, `write`, `transaction`), never where.
 */
export class Database {
  private readonly logger = new Logger('Database');
  private monitor?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private next = 0;
  readonly counters: DatabaseCounters = { replicaReads: 0, primaryReads: 0, fallbacks: 0 };
  /** The primary's WAL position over the last `maxLagMs`, oldest first. */
  private readonly primaryHistory: { at: number; lsn: string }[] = [];

  constructor(
    readonly primary: DatabaseNode,
    readonly replicas: DatabaseNode[],
    private readonly readYourWrites: ReadYourWrites,
    private readonly maxLagMs: number,
    private readonly monitorIntervalMs = 500,
  ) {
    readYourWrites.primaryPosition = async () => {
      const [row] = await this.onPrimary((manager) => manager.query<{ lsn: string }[]>(PRIMARY_LSN_QUERY));
      return row.lsn;
    };
  }

  /** Connects what it can; a node that is down keeps being retried by the monitor. */
  async start(): Promise<void> {
    await Promise.all([this.primary, ...this.replicas].map((node) => node.connect()));
    await this.probeAll();
    this.monitor = setInterval(() => void this.probeAll(), this.monitorIntervalMs);
    this.monitor.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.monitor);
    this.readYourWrites.close();
    await this.probing;
    await Promise.all([this.primary, ...this.replicas].map((node) => node.close()));
  }

  /** A plain read: a replica when one is healthy and caught up with this client's writes, else the primary. */
  async read<T>(work: Work<T>): Promise<T> {
    const replica = this.pickReplica(await this.readYourWrites.lastWrite());
    if (!replica) {
      this.counters.primaryReads += 1;
      return this.onPrimary(work);
    }
    try {
      const result = await work(replica.manager);
      this.counters.replicaReads += 1;
      return result;
    } catch (error) {
      if (isRecoveryConflict(error)) {
        // The replica cancelled the query to replay WAL: the replica is fine, the primary answers this one.
        this.counters.fallbacks += 1;
        this.counters.primaryReads += 1;
        return this.onPrimary(work);
      }
      if (!isDependencyFailure(error)) throw error;
      replica.markDown(error);
      this.counters.fallbacks += 1;
      this.counters.primaryReads += 1;
      return this.onPrimary(work);
    }
  }

  /** Statements on the primary without an explicit transaction (each autocommits). */
  async write<T>(work: Work<T>): Promise<T> {
    const result = await this.onPrimary(work);
    await this.afterWrite();
    return result;
  }

  /** One transaction on the primary; everything inside it, reads included, sees the primary. */
  async transaction<T>(work: Work<T>): Promise<T> {
    const result = await this.onPrimary((manager) => manager.transaction(work));
    await this.afterWrite();
    return result;
  }

  /** A read that must see the latest committed state (credentials, uniqueness checks): always the primary. */
  async readPrimary<T>(work: Work<T>): Promise<T> {
    return this.onPrimary(work);
  }

  async health(): Promise<DatabaseHealth> {
    await this.probeAll();
    const replicas = this.replicas.map((node) => node.status());
    return {
      primary: this.primary.status(),
      replicas,
      degraded: this.replicas.length > 0 && !replicas.some((replica) => replica.up && !replica.lagging),
    };
  }

  private pickReplica(lastWrite: string | null): DatabaseNode | undefined {
    if (lastWrite === UNKNOWN_POSITION) return undefined;
    const count = this.replicas.length;
    for (let i = 0; i < count; i += 1) {
      const node = this.replicas[(this.next + i) % count];
      if (node.available && !node.lagging && (lastWrite === null || hasReplayed(node.position, lastWrite))) {
        this.next = (this.next + i + 1) % count;
        return node;
      }
    }
    return undefined;
  }

  private async onPrimary<T>(work: Work<T>): Promise<T> {
    if (!this.primary.initialized) {
      await this.primary.connect();
      if (!this.primary.initialized) throw new DependencyUnavailableError('database');
    }
    // A primary that just failed answers 503 at once instead of making every request wait on it; the monitor
    // probes it twice a second and puts it back as soon as it answers.
    if (this.primary.coolingDown) throw new DependencyUnavailableError('database');
    try {
      return await work(this.primary.manager);
    } catch (error) {
      if (isDependencyFailure(error)) {
        this.primary.markDown(error);
        throw new DependencyUnavailableError('database', error);
      }
      throw error;
    }
  }

  /**
   * Makes the primary's current position the identified client's last write. For a client that becomes known only
   * after its writes (a sign-in that created or updated its account), so that its next reads still see them.
   */
  async recordClientPosition(): Promise<void> {
    await this.afterWrite();
  }

  private async afterWrite(): Promise<void> {
    if (!this.readYourWrites.tracking()) return;
    try {
      const [row] = await this.primary.manager.query<{ lsn: string }[]>(WRITE_LSN_QUERY);
      if (row) await this.readYourWrites.recordWrite(row.lsn);
    } catch (error) {
      // Without the position, keep this client on the primary for the whole window rather than risk a stale read.
      this.logger.warn(`could not read the write position: ${(error as Error).message}`);
      await this.readYourWrites.recordWrite(LATEST_POSITION);
    }
  }

  /**
   * A replica is lagging when it has not replayed what the primary had written `maxLagMs` ago: it leaves rotation
   * (reads go to the primary, readiness says degraded) until it catches up.
   */
  private judgeLag(): void {
    const now = Date.now();
    if (this.primary.position) this.primaryHistory.push({ at: now, lsn: this.primary.position });
    while (this.primaryHistory.length > 1 && this.primaryHistory[1].at <= now - this.maxLagMs)
      this.primaryHistory.shift();
    const oldest = this.primaryHistory[0];
    const due = oldest && oldest.at <= now - this.maxLagMs ? oldest.lsn : undefined;
    for (const replica of this.replicas) {
      const lagging = due !== undefined && replica.available && !hasReplayed(replica.position, due);
      if (lagging !== replica.lagging) {
        this.logger.warn(`${replica.name} ${lagging ? `is more than ${this.maxLagMs} ms behind` : 'has caught up'}`);
      }
      replica.lagging = lagging;
    }
  }

  private async probeAll(): Promise<void> {
    this.probing ??= Promise.all([
      this.primary.probe(PRIMARY_LSN_QUERY),
      ...this.replicas.map((replica) => replica.probe(REPLAY_LSN_QUERY)),
    ])
      .then(() => this.judgeLag())
      .finally(() => (this.probing = undefined));
    return this.probing;
  }
}
