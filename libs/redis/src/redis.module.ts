import {
  type DynamicModule,
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { closeRedis, createRedisClient } from './redis.client.js';
import type { RedisConfig } from './redis.config.js';
import { RedisKeys } from './redis.keys.js';

/** The ioredis client every request-path service uses. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
export const REDIS_CONFIG = Symbol('REDIS_CONFIG');
export const InjectRedis = (): ParameterDecorator => Inject(REDIS_CLIENT);

class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');

  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  async onModuleInit(): Promise<void> {
    this.redis.on('error', (error: Error) => this.logger.warn(`redis: ${error.message}`));
    // Boot waits for the first connection attempt (bounded by connectTimeout) but not for success: a Redis that is
    // down is reported by readiness, requests that need it answer 503, and the client keeps reconnecting.
    await this.redis
      .connect()
      .catch((error: Error) => this.logger.warn(`redis not reachable at boot: ${error.message}`));
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}

@Global()
@Module({})
export class RedisModule {
  static forRoot(config: RedisConfig, clientName = 'api'): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        { provide: REDIS_CONFIG, useValue: config },
        { provide: REDIS_CLIENT, useFactory: () => createRedisClient(config, clientName) },
        { provide: RedisKeys, useValue: new RedisKeys(config.keyPrefix) },
        RedisLifecycle,
      ],
      exports: [REDIS_CLIENT, REDIS_CONFIG, RedisKeys],
    };
  }
}
