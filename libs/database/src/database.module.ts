import { REDIS_CLIENT, RedisKeys } from '@app/redis';
import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { DatabaseConfig } from './database.config.js';
import { CountCache } from './count.cache.js';
import { createDataSource, createProbeClient, type NodeRole } from './data-source.factory.js';
import { perRouteLimit } from './routing/admission.limiter.js';
import { Database } from './routing/database.service.js';
import { DatabaseNode } from './routing/database.node.js';
import { RotatingPassword, secretsManagerPassword } from './rotating-password.provider.js';
import { ReadYourWritesTracker } from './routing/read-your-writes.tracker.js';

export const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');

export function createDatabase(config: DatabaseConfig, redis: Redis, keys: RedisKeys): Database {
  const admission = { capacity: config.poolSize, perRoute: perRouteLimit(config.poolSize), waitMs: config.poolWaitMs };
  const password = config.passwordSecretId
    ? new RotatingPassword(secretsManagerPassword(config.passwordSecretId))
    : undefined;
  const node = (name: string, url: string, role: NodeRole) =>
    new DatabaseNode(
      name,
      createDataSource(url, role, config, password),
      admission,
      () => createProbeClient(url, role, config, password),
      password,
    );
  return new Database(
    node('primary', config.primaryUrl, 'primary'),
    config.replicaUrls.map((url, index) => node(`replica-${index + 1}`, url, 'replica')),
    new ReadYourWritesTracker(redis, keys, config.readYourWritesWindowMs),
    new CountCache(redis, keys, { freshMs: config.countCacheMs }),
    config.replicaMaxLagMs,
  );
}

class DatabaseLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  async onModuleInit(): Promise<void> {
    await this.database.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.stop();
  }
}

/** Provides {@link Database}: the primary, the replicas and the read routing between them. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: DatabaseConfig): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_CONFIG, useValue: config },
        {
          provide: Database,
          inject: [REDIS_CLIENT, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) => createDatabase(config, redis, keys),
        },
        DatabaseLifecycle,
      ],
      exports: [Database, DATABASE_CONFIG],
    };
  }
}
