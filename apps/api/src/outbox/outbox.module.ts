import { KakaoQueue, MailQueue, MailSeal } from '@app/queue';
import { REDIS_CONFIG, type RedisConfig } from '@app/redis';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxRepository } from './outbox.repository.js';

/**
 * The queues' producers (mail, sealed with `mailSealKey`; Kakao unlinks) and the transactional outbox in front of them.
 */
@Global()
@Module({})
export class OutboxModule {
  static register(mailSealKey: string): DynamicModule {
    const seal = new MailSeal(mailSealKey);
    return {
      module: OutboxModule,
      providers: [
        { provide: MailSeal, useValue: seal },
        { provide: MailQueue, inject: [REDIS_CONFIG], useFactory: (redis: RedisConfig) => new MailQueue(redis, seal) },
        { provide: KakaoQueue, inject: [REDIS_CONFIG], useFactory: (redis: RedisConfig) => new KakaoQueue(redis) },
        OutboxRepository,
        OutboxDispatcher,
      ],
      exports: [MailQueue, OutboxRepository, OutboxDispatcher],
    };
  }
}
