import { embeddedMetrics, requestContext, ROOT_LOGGER } from '@app/core';
import { KakaoQueue, MailQueue, type KakaoUnlinkJob, type MailJob, type SealedMail } from '@app/queue';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger as Pino } from 'pino';
import { OutboxKind, OutboxRepository } from './outbox.repository.js';

const BATCH = 100;
const SWEEP_INTERVAL_MS = 2_000;
const METRICS_INTERVAL_MS = 60_000;

/**
 * Moves outbox rows to the queue: right after a change commits, and every two seconds for what could not be moved
 * then (Redis or the database away). The job id is the row's id, so a row moved twice is still mailed once.
 * Once a minute it reports the age of the oldest row still waiting (`OutboxOldestAgeSeconds`, an embedded-metric log
 * line that infra alarms on): rows that stop moving block every signup and notice silently.
 */
@Injectable()
export class OutboxDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxDispatcher.name);
  private timer?: NodeJS.Timeout;
  private metricsTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly mail: MailQueue,
    private readonly kakao: KakaoQueue,
    @Inject(ROOT_LOGGER) private readonly log: Pino,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.dispatchSoon(), SWEEP_INTERVAL_MS);
    this.timer.unref();
    this.metricsTimer = setInterval(() => void this.reportMetrics(), METRICS_INTERVAL_MS);
    this.metricsTimer.unref();
  }

  /** The outbox's metric line of this moment. */
  async metrics(): Promise<Record<string, unknown>> {
    const age = await requestContext.outside(() => this.outbox.oldestPendingAgeSeconds());
    return embeddedMetrics([{ name: 'OutboxOldestAgeSeconds', unit: 'Seconds', value: age }]);
  }

  private async reportMetrics(): Promise<void> {
    try {
      this.log.info(await this.metrics(), 'metrics');
    } catch (error) {
      this.logger.warn(`outbox age not measured: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.metricsTimer);
    await this.running;
    await Promise.all([this.mail.close(), this.kakao.close()]);
  }

  /**
   * Starts a dispatch now, or right after the one under way; never throws. It runs outside the request that asked for
   * it: its statements are not that client's writes, nor that route's.
   */
  dispatchSoon(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = requestContext
      .outside(() => this.drain())
      .catch((error: Error) => this.logger.warn(`outbox not dispatched yet: ${error.message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.dispatchSoon();
        }
      });
  }

  private async drain(): Promise<void> {
    while ((await this.outbox.dispatchPending(BATCH, (rows) => this.enqueue(rows))) === BATCH);
  }

  /** Enqueues rows in order and returns those that made it; stops at the first failure (Redis away). */
  private async enqueue(rows: { id: string; kind: string; payload: Record<string, unknown> }[]): Promise<string[]> {
    const done: string[] = [];
    for (const row of rows) {
      const jobId = `outbox-${row.id}`;
      try {
        // Any text: a kind this version does not know falls to the default.
        switch (row.kind as OutboxKind) {
          case OutboxKind.Mail:
            // Rows written before the outbox sealed its mail are sealed on their way to the queue.
            await this.mail.send(row.payload as unknown as MailJob | SealedMail, { jobId });
            break;
          case OutboxKind.KakaoUnlink:
            await this.kakao.unlink(row.payload as unknown as KakaoUnlinkJob, jobId);
            break;
          default:
            // A kind this version does not know (written by a newer one during a rolling deploy) stays for that one.
            continue;
        }
        done.push(row.id);
      } catch (error) {
        this.logger.warn(`outbox row ${row.id} waits for the queue: ${(error as Error).message}`);
        break;
      }
    }
    return done;
  }
}
