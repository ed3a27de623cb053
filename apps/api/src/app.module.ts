import { createValidationPipe, LoggingModule, ProblemDetailsFilter } from '@app/core';
import { DatabaseModule } from '@app/database';
import { RedisModule } from '@app/redis';
import { type DynamicModule, type ForwardReference, type Type, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { ApiConfig } from './api.config.js';
import { AdminModule } from './admin/admin.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BoardsModule } from './boards/boards.module.js';
import { HealthModule } from './health/health.module.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { TasksModule } from './tasks/tasks.module.js';
import { UsersModule } from './users/users.module.js';

/** What `imports` accepts: more feature modules, mounted beside the api's own. */
export type ModuleImport = Type | DynamicModule | Promise<DynamicModule> | ForwardReference;

@Module({})
export class AppModule {
  /** The api, built from an already validated configuration (see `loadApiConfig`). */
  static register(config: ApiConfig, extraImports: ModuleImport[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggingModule.forRoot({ level: config.logLevel, service: 'api', pretty: config.nodeEnv === 'development' }),
        RedisModule.forRoot(config.redis, 'api'),
        DatabaseModule.forRoot(config.database),
        AuthModule.register(config.auth),
        UsersModule,
        AdminModule,
        BoardsModule,
        IdempotencyModule,
        OutboxModule.register(config.mailSealKey),
        TasksModule,
        HealthModule,
        MetricsModule,
        ...extraImports,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useValue: createValidationPipe() },
      ],
    };
  }
}
