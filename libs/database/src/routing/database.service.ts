import {
  DependencyUnavailableError,
  isDependencyFailure,
  OverloadedError,
  type List,
  type ListWindow,
} from '@app/core';
import { Logger } from '@nestjs/common';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { CountCache } from '../count.cache.js';
import { fetchList, type ListQueries } from '../list.queries.js';
import type { DatabaseNode, NodeStatus } from './database.node.js';
import { sqlStateOf } from '../sql.errors.js';
import { hasReplayed, LATEST_POSITION } from './lsn.util.js';
import { ReadYourWritesTracker, UNKNOWN_POSITION } from './read-your-writes.tracker.js';

/** SQLSTATE 40001 on a hot standby: "canceling statement due to conflict with recovery". */
const isRecoveryConflict = (error: unknown): boolean => sqlStateOf(error) === '40001';

/**
 * SQLSTATE 57014: the server cancelled a statement that ran past `statement_timeout`. The node answered; the work was
 * too much for it now (a hanging lock, a slow plan under load). That is overload, not a node failure: shed, never
 * mark the node down or move the work to another node.
 */
const isStatementTimeout = (error: unknown): boolean => sqlStateOf(error) === '57014';

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
 *
 * Every work passes its node's admission first (`DatabaseNode.run`): a node whose pool is busy past the wait bound
 * sheds the work with OverloadedError (503, Retry-After) and stays in rotation; only a failed connection (or the
 * monitor's probe failing on a fresh connection) takes a node out. A busy replica's reads are shed, not moved onto the
 * primary, so that a spike on one node never spreads to the other.
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
    private readonly readYourWrites: ReadYourWritesTracker,
    private readonly counts: CountCache,
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
    // Without replicas every read is on the primary, which has every write: no position to look up.
    const replica = this.replicas.length > 0 ? this.pickReplica(await this.readYourWrites.lastWrite()) : undefined;
    if (!replica) {
      this.counters.primaryReads += 1;
      return this.onPrimary(work);
    }
    try {
      const result = await replica.run(work);
      this.counters.replicaReads += 1;
      return result;
    } catch (error) {
      if (error instanceof OverloadedError) throw error;
      if (isStatementTimeout(error)) throw new OverloadedError(`database:${replica.name}`, error);
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

  /**
   * A page of a list (see `fetchList`), read as `read` reads. A numbered page's total is counted at most once every
   * few seconds per statement, across instances (CountCache); a client with a write the replicas may not have
   * replayed yet counts afresh, so that its totals include its own rows as its items do.
   */
  readList<T extends ObjectLiteral & { createdAt: Date; id: string }>(
    alias: string,
    window: ListWindow,
    queries: (manager: EntityManager) => ListQueries<T>,
  ): Promise<List<T>> {
    return this.read(async (manager) =>
      fetchList(manager, queries(manager), alias, window, async (statement, count) => {
        const ownWrites = this.replicas.length > 0 && (await this.readYourWrites.lastWrite()) !== null;
        return this.counts.count(statement, count, ownWrites);
      }),
    );
  }

  /** Statements on the primary without an explicit transaction (each autocommits). */
  async write<T>(work: Work<T>): Promise<T> {
    const [result, position] = await this.onPrimary(async (manager) => {
      const done = await work(manager);
      return [done, await this.writePosition(manager)] as const;
    });
    await this.recordPosition(position);
    return result;
  }

  /** One transaction on the primary; everything inside it, reads included, sees the primary. */
  async transaction<T>(work: Work<T>): Promise<T> {
    const [result, position] = await this.onPrimary(async (manager) => {
      const done = await manager.transaction(work);
      return [done, await this.writePosition(manager)] as const;
    });
    await this.recordPosition(position);
    return result;
  }

  /**
   * The one way to choose a node, and a named exception to the routing: a read that decides access (credentials, a
   * ban, a role, whether an address is taken) must see the latest committed state, so it always runs on the primary.
   * Only the users context's access lookups use it; everything else reads with {@link read}.
   */
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
      return await this.primary.run(work);
    } catch (error) {
      if (error instanceof OverloadedError) throw error;
      if (isStatementTimeout(error)) throw new OverloadedError('database:primary', error);
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
    if (!this.tracksWrites()) return;
    const position = await this.onPrimary((manager) => this.writePosition(manager)).catch(() => LATEST_POSITION);
    await this.recordPosition(position);
  }

  /** Writes need a position only when replicas serve reads and the client is known. */
  private tracksWrites(): boolean {
    return this.replicas.length > 0 && this.readYourWrites.tracking();
  }

  /**
   * The primary's position after a write committed, read on the write's own connection; null when nobody needs it.
   * Without it, the client stays on the primary for the whole window rather than risk a stale read.
   */
  private async writePosition(manager: EntityManager): Promise<string | null> {
    if (!this.tracksWrites()) return null;
    try {
      const [row] = await manager.query<{ lsn: string }[]>(WRITE_LSN_QUERY);
      return row?.lsn ?? LATEST_POSITION;
    } catch (error) {
      this.logger.warn(`could not read the write position: ${(error as Error).message}`);
      return LATEST_POSITION;
    }
  }

  /** Records the client's write position in Redis, once the write's connection is back in the pool. */
  private async recordPosition(position: string | null): Promise<void> {
    if (position !== null) await this.readYourWrites.recordWrite(position);
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
