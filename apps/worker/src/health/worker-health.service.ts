import { InjectRedis } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KakaoProcessor } from '../kakao/kakao.processor.js';
import { MailProcessor } from '../mail/mail.processor.js';
import type { WorkerConfig } from '../worker.config.js';
import { WORKER_CONFIG } from '../worker.tokens.js';

export interface WorkerHealthReport {
  /** `ok`: every queue is consumed and Redis answers; `degraded`: consumed, Redis away; `down`: a consumer stopped. */
  status: 'ok' | 'degraded' | 'down';
  queues: Record<string, boolean>;
  redis: 'up' | 'down';
}

/**
 * The worker's health: whether each queue is consumed and Redis answers. `GET /health/live` on its own port (loopback
 * only: the container's health check runs inside the container) answers 200 while every consumer runs and 503 once one
 * has stopped, which makes the orchestrator replace the task. Redis being away is reported but not fatal: a new task
 * would find it away too, and the consumers reconnect on their own.
 */
@Injectable()
export class WorkerHealth implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHealth.name);
  private server?: Server;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @InjectRedis() private readonly redis: Redis,
    private readonly mail: MailProcessor,
    private readonly kakao: KakaoProcessor,
  ) {}

  async check(): Promise<WorkerHealthReport> {
    const queues = { mail: this.mail.running, kakao: this.kakao.running };
    const redis = await this.redis.ping().then(
      () => 'up' as const,
      () => 'down' as const,
    );
    const consumed = Object.values(queues).every(Boolean);
    return { status: !consumed ? 'down' : redis === 'up' ? 'ok' : 'degraded', queues, redis };
  }

  /** The port the health check listens on (the configured one, or the one the system chose for 0). */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== '/health/live') {
        response.writeHead(404).end();
        return;
      }
      void this.check().then((report) => {
        response
          .writeHead(report.status === 'down' ? 503 : 200, { 'content-type': 'application/json' })
          .end(JSON.stringify(report));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.healthPort, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.logger.log(`health check on http://127.0.0.1:${this.port}/health/live`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
