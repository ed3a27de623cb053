import { REDIS_CLIENT, RateLimiter, RedisKeys } from '@app/redis';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type { Redis } from 'ioredis';
import { TasksModule } from '@api/tasks';
import { UsersModule } from '@api/users';
import { AccessGuard } from './access.guard.js';
import { AccessTokens } from './access-tokens.js';
import { AUTH_CONFIG, type AuthConfig } from './auth.config.js';
import { AccountClosure } from './account-closure.service.js';
import { AccountController } from './account.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthKeys } from './auth-keys.js';
import { AuthService } from './auth.service.js';
import { DeviceCookies } from './device-cookies.js';
import { EmailCodes } from './email-codes.js';
import { PendingSignups } from './pending-signups.js';
import { LoginAttempts } from './login-attempts.js';
import { PasswordsService } from './passwords.service.js';
import { JwtStrategy } from './jwt.strategy.js';
import { KakaoModule } from './kakao/kakao.module.js';
import { PasswordHasher } from './password-hasher.js';
import { Revocations } from './revocations.js';
import { SessionStore } from './session.store.js';

/** Sign-up, sign-in (email and Kakao), tokens and sessions; installs the global deny-by-default guard. */
@Module({})
export class AuthModule {
  static register(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      // Global: every context's routes pass its guard, and admin uses its sessions and revocations.
      global: true,
      imports: [PassportModule, UsersModule, TasksModule, KakaoModule.register(config)],
      controllers: [AuthController, AccountController],
      providers: [
        { provide: AUTH_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: AccessGuard },
        {
          provide: RateLimiter,
          inject: [REDIS_CLIENT, RedisKeys],
          useFactory: (redis: Redis, keys: RedisKeys) => new RateLimiter(redis, keys),
        },
        AccessTokens,
        AuthKeys,
        AuthService,
        DeviceCookies,
        EmailCodes,
        PendingSignups,
        LoginAttempts,
        PasswordsService,
        AccountClosure,
        JwtStrategy,
        PasswordHasher,
        Revocations,
        SessionStore,
      ],
      exports: [AUTH_CONFIG, AuthService, AccountClosure, SessionStore, Revocations, RateLimiter],
    };
  }
}
