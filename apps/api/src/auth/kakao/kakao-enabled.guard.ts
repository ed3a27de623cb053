import { type CanActivate, Inject, Injectable } from '@nestjs/common';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { kakaoNotConfigured } from '../auth.errors.js';

/**
 * Kakao routes answer 404 while Kakao sign-in is not configured. They stay mounted so that the OpenAPI document does not
 * depend on the environment.
 */
@Injectable()
export class KakaoEnabledGuard implements CanActivate {
  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {}

  canActivate(): boolean {
    if (!this.config.kakao) throw kakaoNotConfigured();
    return true;
  }
}
