import { requestContext } from '@app/core';
import { Logger } from '@nestjs/common';
import type { Client, Pool } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { RotatingPassword } from '../rotating-password.provider.js';
import { isPasswordRefused } from '../sql.errors.js';
import { AdmissionLimiter, type AdmissionOptions } from './admission.limiter.js';

export interface PoolStats {
  total: number;
  idle: number;
  /** Works waiting for admission (the pool itself never queues them). */
  waiting: number;
  /** Works shed since start because their turn did not come within the wait bound. */
  shed: number;
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
 *
 * Work reaches the pool through the node's admission (`run`), which bounds the wait for a client. The monitor's probe
 * uses a connection of its own, outside the pool, so a pool that is busy serving never makes the probe fail: only a
 * connection that fails, or a probe that fails again on a fresh connection, says the node is down.
 */
export class DatabaseNode {
  private readonly logger: Logger;
  private readonly admission: AdmissionLimiter;
  private connecting?: Promise<void>;
  private up = false;
  private retryAt = 0;
  private failures = 0;
  private probeClient?: Client;
  /** The WAL position of the last probe: written (primary) or replayed (replica). */
  position: string | null = null;
  /** Set by the router when a replica falls further behind than it allows. */
  lagging = false;

  constructor(
    readonly name: string,
    readonly dataSource: DataSource,
    admission: AdmissionOptions,
    private readonly connectProbe: () => Client,
    /** A password that rotates: told when the server refuses it, so that the next connection reads it again. */
    private readonly password?: RotatingPassword,
  ) {
    this.logger = new Logger(`Database:${name}`);
    this.admission = new AdmissionLimiter(name, admission);
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Runs `work` on this node once admitted (OverloadedError when the pool stays busy past the wait bound). */
  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.admission.run(requestContext.current()?.route, () =>
      work(this.dataSource.manager).catch((error: unknown) => {
        this.noteRefusal(error);
        throw error;
      }),
    );
  }

  private noteRefusal(error: unknown): void {
    if (this.password && isPasswordRefused(error)) this.password.refused();
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
    if (!pool) return undefined;
    return {
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: this.admission.waiting + pool.waitingCount,
      shed: this.admission.shed,
    };
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

  /**
   * Runs the health probe on the probe's own connection; `query` returns the replica's replay position (or anything,
   * for the primary). A failure on a connection that was open already is tried once more on a fresh one.
   */
  async probe(query: string): Promise<boolean> {
    if (!this.dataSource.isInitialized) {
      await this.connect();
      if (!this.dataSource.isInitialized) return false;
    }
    const reused = this.probeClient !== undefined;
    try {
      this.position = await this.probeOnce(query);
    } catch (error) {
      try {
        if (!reused) throw error;
        this.position = await this.probeOnce(query);
      } catch (again) {
        this.markDown(again);
        return false;
      }
    }
    this.markUp();
    return true;
  }

  private async probeOnce(query: string): Promise<string | null> {
    let client = this.probeClient;
    try {
      if (!client) {
        client = this.connectProbe();
        client.on('error', () => undefined);
        this.probeClient = client;
        await client.connect();
      }
      const { rows } = await client.query<{ lsn?: string | null }>(query);
      return rows[0]?.lsn ?? null;
    } catch (error) {
      this.probeClient = undefined;
      void client?.end().catch(() => undefined);
      throw error;
    }
  }

  markUp(): void {
    if (!this.up) this.logger.log(`${this.name} is up`);
    this.up = true;
    this.failures = 0;
  }

  markDown(error: unknown): void {
    this.noteRefusal(error);
    const message = error instanceof Error ? error.message : String(error);
    if (this.up || this.failures === 0) this.logger.warn(`${this.name} is down: ${message}`);
    this.up = false;
    this.failures += 1;
    this.retryAt = Date.now() + Math.min(250 * 2 ** Math.min(this.failures, 5), 5_000);
  }

  async close(): Promise<void> {
    await this.connecting;
    const probe = this.probeClient;
    this.probeClient = undefined;
    await probe?.end().catch(() => undefined);
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
