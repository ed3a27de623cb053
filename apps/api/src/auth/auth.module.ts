import { REDIS_CLIENT, RateLimiter, RedisKeys } from '@app/redis';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import type { Redis } from 'ioredis';
import { TasksModule } from '@api/tasks';
import { UsersModule } from '@api/users';
import { AccessGuard } from './guards/access.guard.js';
import { AccessTokenSigner } from './tokens/access-token.signer.js';
import { AUTH_CONFIG, type AuthConfig } from './auth.config.js';
import { AccountClosure } from './account/account-closure.service.js';
import { AccountController } from './account/account.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthKeys } from './auth.keys.js';
import { AuthService } from './auth.service.js';
import { DeviceCookieSigner } from './email/device-cookie.signer.js';
import { EmailCodeStore } from './email/email-code.store.js';
import { PendingSignupStore } from './email/pending-signup.store.js';
import { LoginAttemptsLimiter } from './email/login-attempts.limiter.js';
import { PasswordsService } from './email/passwords.service.js';
import { JwtStrategy } from './tokens/jwt.strategy.js';
import { KakaoModule } from './kakao/kakao.module.js';
import { PasswordHasher } from './email/password.hasher.js';
import { RevocationsStore } from './tokens/revocations.store.js';
import { SessionStore } from './sessions/session.store.js';

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
        AccessTokenSigner,
        AuthKeys,
        AuthService,
        DeviceCookieSigner,
        EmailCodeStore,
        PendingSignupStore,
        LoginAttemptsLimiter,
        PasswordsService,
        AccountClosure,
        JwtStrategy,
        PasswordHasher,
        RevocationsStore,
        SessionStore,
      ],
      exports: [AUTH_CONFIG, AuthService, AccountClosure, SessionStore, RevocationsStore, RateLimiter],
    };
  }
}
