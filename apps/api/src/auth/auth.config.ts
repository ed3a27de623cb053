import type { RateLimit } from '@app/redis';

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');

export interface KakaoConfig {
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  appId: string;
  authUrl: string;
  apiUrl: string;
  /**
   * The app's admin key (`KAKAO_ADMIN_KEY`): Kakao's unlink callback must carry it. Unset: the callback is refused, and
   * closing accounts cannot unlink them (the worker keeps those jobs as failed until it is set).
   */
  adminKey?: string;
}

/** Limits on the attack surface of sign-in (SECURITY.md), shared by every API instance through Redis. */
export interface RateLimits {
  /** Failed logins per account and IP. */
  loginAccountIp: RateLimit;
  /** Failed logins per account from anywhere, but for browsers that signed in to it before (device cookies). */
  loginAccount: RateLimit;
  /** Failed logins per IP. */
  loginIp: RateLimit;
  signupIp: RateLimit;
  resendIp: RateLimit;
  /** Verification attempts per email. */
  verifyEmail: RateLimit;
  /** Verification attempts per client (IPv4 address or IPv6 /64), whatever the address. */
  verifyIp: RateLimit;
  refreshSession: RateLimit;
  kakaoIp: RateLimit;
}

export interface AuthConfig {
  jwtSecret: string;
  jwtIssuer: string;
  jwtAudience: string;
  /** Lowercased; these addresses become ADMIN when they sign up. */
  adminEmails: string[];
  /** Absent when Kakao sign-in is not configured. */
  kakao?: KakaoConfig;
  rateLimits: RateLimits;
  /** Cookies carry `Secure` (production). */
  secureCookies: boolean;
  /** The origins a request authenticated by the refresh cookie must carry (CORS_ORIGINS). */
  allowedOrigins: string[];
  /** Where the Kakao callback sends the browser. */
  frontendUrl: string;
}
