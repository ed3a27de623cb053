import { LoggingModule } from '@app/core';
import { MailSeal } from '@app/queue';
import { RedisModule } from '@app/redis';
import { type DynamicModule, Module } from '@nestjs/common';
import { QueueMetrics } from './health/queue-metrics.service.js';
import { WorkerHealth } from './health/worker-health.service.js';
import { KakaoUnlinkClient } from './kakao/kakao-unlink.client.js';
import { KakaoProcessor } from './kakao/kakao.processor.js';
import { MailProcessor } from './mail/mail.processor.js';
import { MailSender } from './mail/mail.sender.js';
import type { WorkerConfig } from './worker.config.js';
import { WORKER_CONFIG } from './worker.tokens.js';

@Module({})
export class WorkerModule {
  static register(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        LoggingModule.forRoot({ level: config.logLevel, service: 'worker', pretty: config.nodeEnv === 'development' }),
        RedisModule.forRoot(config.redis, 'worker'),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: MailSender, useValue: new MailSender(config.mail) },
        { provide: MailSeal, useValue: new MailSeal(config.mailSealKey) },
        MailProcessor,
        { provide: KakaoUnlinkClient, useValue: new KakaoUnlinkClient(config.kakao) },
        KakaoProcessor,
        WorkerHealth,
        QueueMetrics,
      ],
    };
  }
}
