import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Pool } from 'pg';

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface NodeStatus {
  name: string;
  up: boolean;
  /** For a replica, how far it has replayed the primary's WAL. */
  position?: string | null;
  /** A replica too far behind the primary to serve reads. */
  lagging?: boolean;
}

/**
 * One PostgreSQL server and its pool. It connects in the background with backoff, so a node that is down at boot
 * neither stops the process nor blocks it; `markDown` takes it out of rotation until the monitor sees it answer again.
 */
export class DatabaseNode {
  private readonly logger: Logger;
  private connecting?: Promise<void>;
  private up = false;
  private retryAt = 0;
  private failures = 0;
  /** The WAL position of the last probe: written (primary) or replayed (replica). */
  position: string | null = null;
  /** Set by the router when a replica falls further behind than it allows. */
  lagging = false;

  constructor(
    readonly name: string,
    readonly dataSource: DataSource,
  ) {
    this.logger = new Logger(`Database:${name}`);
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  get initialized(): boolean {
    return this.dataSource.isInitialized;
  }

  /** Usable for queries now: connected and not marked down. */
  get available(): boolean {
    return this.dataSource.isInitialized && this.up;
  }

  /** Marked down and not yet due for another try: callers should not wait on it. */
  get coolingDown(): boolean {
    return !this.up && Date.now() < this.retryAt;
  }

  status(): NodeStatus {
    return {
      name: this.name,
      up: this.available,
      ...(this.name === 'primary' ? {} : { position: this.position, lagging: this.lagging }),
    };
  }

  poolStats(): PoolStats | undefined {
    if (!this.dataSource.isInitialized) return undefined;
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
  }

  /** Connects once; concurrent callers share the attempt. Resolves whether or not it succeeded. */
  async connect(): Promise<void> {
    if (this.dataSource.isInitialized || Date.now() < this.retryAt) return;
    this.connecting ??= this.dataSource
      .initialize()
      .then(() => this.markUp())
      .catch((error: unknown) => this.markDown(error))
      .finally(() => (this.connecting = undefined));
    await this.connecting;
  }

  /** Runs the health probe; `query` returns the replica's replay position (or anything, for the primary). */
  async probe(query: string): Promise<boolean> {
    if (!this.dataSource.isInitialized) {
      await this.connect();
      if (!this.dataSource.isInitialized) return false;
    }
    try {
      const rows: { lsn?: string | null }[] = await this.dataSource.query(query);
      this.position = rows[0]?.lsn ?? null;
      this.markUp();
      return true;
    } catch (error) {
      this.markDown(error);
      return false;
    }
  }

  markUp(): void {
    if (!this.up) this.logger.log(`${this.name} is up`);
    this.up = true;
    this.failures = 0;
  }

  markDown(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (this.up || this.failures === 0) this.logger.warn(`${this.name} is down: ${message}`);
    this.up = false;
    this.failures += 1;
    this.retryAt = Date.now() + Math.min(250 * 2 ** Math.min(this.failures, 5), 5_000);
  }

  async close(): Promise<void> {
    await this.connecting;
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
