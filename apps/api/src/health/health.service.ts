import { Database, type DatabaseHealth } from '@app/database';
import { InjectRedis } from '@app/redis';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ShutdownState } from './shutdown.state.js';

export type CheckStatus = 'up' | 'down' | 'degraded';

export interface Readiness {
  status: 'ok' | 'degraded' | 'unavailable' | 'draining';
  checks: {
    primary: { status: CheckStatus };
    replica: { status: CheckStatus; detail: string; nodes: { name: string; up: boolean }[] };
    redis: { status: CheckStatus };
  };
}

const PROBE_TIMEOUT_MS = 1_500;

const withTimeout = <T>(work: Promise<T>, ms: number, fallback: T): Promise<T> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
    void work.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });

@Injectable()
export class HealthService {
  constructor(
    private readonly database: Database,
    @InjectRedis() private readonly redis: Redis,
    private readonly shutdown: ShutdownState,
  ) {}

  /**
   * Ready when the primary and Redis answer. A replica that is down only degrades readiness (reads fall back to the
   * primary), so the load balancer keeps the task.
   */
  async readiness(): Promise<Readiness> {
    const [database, redisDown] = await Promise.all([this.databaseHealth(), this.redisDown()]);
    const replicaStatus: CheckStatus = database.replicas.length === 0 ? 'up' : database.degraded ? 'degraded' : 'up';
    const checks: Readiness['checks'] = {
      primary: { status: database.primary.up ? 'up' : 'down' },
      replica: {
        status: replicaStatus,
        detail:
          database.replicas.length === 0
            ? 'no replica configured: reads use the primary'
            : database.degraded
              ? 'no replica answers: reads fall back to the primary'
              : `${database.replicas.filter((r) => r.up).length}/${database.replicas.length} replicas serving reads`,
        // Names and states only: addresses and driver messages stay in the log.
        nodes: database.replicas.map(({ name, up }) => ({ name, up })),
      },
      redis: { status: redisDown ? 'down' : 'up' },
    };
    const status = this.shutdown.isDraining
      ? 'draining'
      : checks.primary.status === 'down' || checks.redis.status === 'down'
        ? 'unavailable'
        : replicaStatus === 'degraded'
          ? 'degraded'
          : 'ok';
    return { status, checks };
  }

  /** The database's state, bounded: a hung primary reads as down within the probe budget. */
  private databaseHealth(): Promise<DatabaseHealth> {
    const down: DatabaseHealth = {
      primary: { name: 'primary', up: false },
      replicas: this.database.replicas.map((node) => node.status()),
      degraded: true,
    };
    return withTimeout(this.database.health(), PROBE_TIMEOUT_MS, down);
  }

  private async redisDown(): Promise<boolean> {
    const answer = await withTimeout(
      this.redis.ping().then(
        () => 'up' as const,
        () => 'down' as const,
      ),
      PROBE_TIMEOUT_MS,
      'down' as const,
    );
    return answer === 'down';
  }
}
