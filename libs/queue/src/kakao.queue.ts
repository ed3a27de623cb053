import { envPiece, urlVar } from '@app/core';
import type { RedisConfig } from '@app/redis';
import { z } from 'zod';
import { KakaoJobName, QueueName, type KakaoUnlinkJob } from './queue.contract.js';
import { Producer } from './queue.connection.js';

/** Kakao's API host and the app's admin key: the worker unlinks with them, the api checks Kakao's callback with it. */
export const kakaoAdminEnv = envPiece({
  shape: {
    KAKAO_API_URL: urlVar('http', 'https').default('https://kapi.kakao.com'),
    KAKAO_ADMIN_KEY: z.string().min(1).optional(),
  },
  docs: {
    KAKAO_API_URL: "Kakao's API host (the stub in tests)",
    KAKAO_ADMIN_KEY:
      "the Kakao app's admin key: the worker unlinks closed accounts, the api checks Kakao's unlink callback",
  },
});

/** The producer side of the Kakao queue: unlinks that must happen even while Kakao is down. */
export class KakaoQueue extends Producer<KakaoUnlinkJob, KakaoJobName> {
  constructor(config: RedisConfig) {
    super(config, QueueName.Kakao);
  }

  /** Enqueues an unlink; `jobId` makes it idempotent. */
  async unlink(job: KakaoUnlinkJob, jobId: string): Promise<void> {
    await this.queue.add(KakaoJobName.Unlink, job, { jobId });
  }
}
