import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { UsersModule } from '@api/users';
import type { AuthConfig } from '../auth.config.js';
import { KakaoOAuthClient } from './kakao-oauth.client.js';
import { KakaoOAuthService } from './kakao-oauth.service.js';
import { KakaoController } from './kakao.controller.js';
import { KakaoUnlinked } from './kakao-unlinked.service.js';
import { KakaoService } from './kakao.service.js';

/**
 * Sign-in with Kakao, inside the auth context (it uses AuthModule's global AuthService, RateLimiter and AUTH_CONFIG).
 * The routes are mounted whether or not Kakao is configured, so that the OpenAPI document is the same everywhere;
 * without configuration they answer 404 (KakaoEnabledGuard) and the client refuses every call the same way.
 */
@Module({})
export class KakaoModule {
  static register(auth: AuthConfig): DynamicModule {
    const client: Provider = {
      provide: KakaoOAuthClient,
      useValue: new KakaoOAuthClient(auth.kakao),
    };
    return {
      module: KakaoModule,
      imports: [UsersModule],
      controllers: [KakaoController],
      providers: [client, KakaoOAuthService, KakaoService, KakaoUnlinked],
    };
  }
}
