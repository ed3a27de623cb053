import { Consumer, KakaoJobName, QueueName, type KakaoUnlinkJob } from '@app/queue';
import { REDIS_CONFIG, type RedisConfig } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import { KakaoUnlinkClient } from './kakao-unlink.client.js';

/**
 * Consumes the Kakao queue: unlinks the Kakao users of closed accounts. Kakao down or slow: the job is retried with
 * backoff, so a closure never waits for Kakao. A done job keeps its id but not the Kakao id (PIPA).
 */
@Injectable()
export class KakaoProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KakaoProcessor.name);
  private consumer?: Consumer<KakaoUnlinkJob, KakaoJobName>;

  constructor(
    @Inject(REDIS_CONFIG) private readonly redis: RedisConfig,
    private readonly unlinker: KakaoUnlinkClient,
  ) {}

  onApplicationBootstrap(): void {
    this.consumer = new Consumer(this.redis, QueueName.Kakao, (job) => this.process(job), {
      concurrency: 1,
      logger: this.logger,
    });
  }

  async process(job: Job<KakaoUnlinkJob, void, KakaoJobName>): Promise<void> {
    switch (job.name) {
      case KakaoJobName.Unlink: {
        if (!job.data.kakaoId) return;
        await this.unlinker.unlink(job.data.kakaoId);
        this.logger.log(`kakao job ${job.id}: unlinked`);
        await job.updateData({ kakaoId: '' }).catch((error: Error) => {
          this.logger.warn(`kakao job ${job.id}: could not clear its data: ${error.message}`);
        });
        return;
      }
    }
  }

  /** Whether its queue is being consumed (the worker's health check). */
  get running(): boolean {
    return this.consumer?.running ?? false;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
  }
}
