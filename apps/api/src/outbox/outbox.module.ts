import { MailQueue } from '@app/queue';
import { REDIS_CONFIG, type RedisConfig } from '@app/redis';
import { Global, Module } from '@nestjs/common';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxRepository } from './outbox.repository.js';

/** The mail queue's producer and the transactional outbox in front of it. */
@Global()
@Module({
  providers: [
    { provide: MailQueue, inject: [REDIS_CONFIG], useFactory: (redis: RedisConfig) => new MailQueue(redis) },
    OutboxRepository,
    OutboxDispatcher,
  ],
  exports: [MailQueue, OutboxRepository, OutboxDispatcher],
})
export class OutboxModule {}
