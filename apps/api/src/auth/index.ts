export { AuthModule } from './auth.module.js';
export { AUTH_CONFIG, type AuthConfig, type KakaoConfig, type RateLimits } from './auth.config.js';
export { AuthService } from './auth.service.js';
export { RevocationsStore } from './tokens/revocations.store.js';
export { SessionStore } from './sessions/session.store.js';
export { KakaoOAuthClient, type KakaoProfile, type KakaoTokenInfo } from './kakao/kakao-oauth.client.js';
export { KAKAO_ADMIN_KEY_SCHEME, kakaoAdminKeyScheme } from './kakao/kakao.controller.js';
