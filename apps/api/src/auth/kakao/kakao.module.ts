import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '@api/users';
import type { AuthConfig } from '../auth.config.js';
import { HttpKakaoOAuthClient, KakaoOAuthClient, UnconfiguredKakaoOAuthClient } from './kakao-oauth.client.js';
import { KakaoController } from './kakao.controller.js';
import { KakaoUnlinked } from './kakao-unlinked.service.js';
import { KakaoService } from './kakao.service.js';
import { KakaoStrategy } from './kakao.strategy.js';

/**
 * Sign-in with Kakao, inside the auth context (it uses AuthModule's global AuthService, RateLimiter and AUTH_CONFIG).
 * The routes are mounted whether or not Kakao is configured, so that the OpenAPI document is the same everywhere;
 * without configuration they answer 404 (KakaoEnabledGuard) and no strategy is registered.
 */
@Module({})
export class KakaoModule {
  static register(auth: AuthConfig): DynamicModule {
    const kakao = auth.kakao;
    const client: Provider = {
      provide: KakaoOAuthClient,
      useValue: kakao ? new HttpKakaoOAuthClient(kakao) : new UnconfiguredKakaoOAuthClient(),
    };
    const strategy: Provider[] = kakao
      ? [
          {
            provide: KakaoStrategy,
            inject: [KakaoOAuthClient],
            useFactory: (oauth: KakaoOAuthClient) => new KakaoStrategy(kakao, oauth, auth.secureCookies),
          },
        ]
      : [];
    return {
      module: KakaoModule,
      imports: [PassportModule, UsersModule],
      controllers: [KakaoController],
      providers: [client, ...strategy, KakaoService, KakaoUnlinked],
    };
  }
}
