import {
  boolVar,
  ConfigError,
  coreEnv,
  intVar,
  listVar,
  parseEnv,
  rateVar,
  urlVar,
  envPiece,
  type Env,
  type NodeEnv,
} from '@app/core';
import { databaseConfigFrom, databaseEnv, type DatabaseConfig } from '@app/database';
import { kakaoAdminEnv, mailSealEnv } from '@app/queue';
import { redisConfigFrom, redisEnv, type RedisConfig } from '@app/redis';
import { z } from 'zod';
import type { AuthConfig } from './auth/auth.config.js';
import type { LoadSheddingConfig } from './http/load-shedding.plugin.js';

const origin = urlVar('http', 'https').refine((value) => new URL(value).origin === value.replace(/\/$/, ''), {
  message: 'must be origins (scheme://host[:port]) without a path',
});

export const httpEnv = envPiece({
  shape: {
    PORT: intVar(3000, 0, 65535),
    HOST: z.string().default('0.0.0.0'),
    CORS_ORIGINS: listVar(origin),
    FRONTEND_URL: urlVar('http', 'https').default('http://localhost:5173'),
    BODY_LIMIT_BYTES: intVar(100 * 1024, 1024, 10 * 1024 * 1024),
    /** After SIGTERM, readiness fails this long before the server stops taking requests (the ALB notices). */
    SHUTDOWN_DRAIN_MS: intVar(0, 0, 120_000),
    /** Behind the ALB: trust one hop of X-Forwarded-For. Off by default, or any client could choose its own address. */
    TRUST_PROXY: boolVar(false),
    /** New requests answer 503 OVERLOADED while the event loop's mean delay is above this (ms); 0 = never. */
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: intVar(1_000, 0, 60_000),
    /** New requests answer 503 OVERLOADED while the heap in use is above this share of V8's limit (%); 0 = never. */
    OVERLOAD_MAX_HEAP_USED_PERCENT: intVar(90, 0, 100),
  },
  embeddedDefaults: ['CORS_ORIGINS', 'FRONTEND_URL'],
  docs: {
    PORT: 'where the API listens (0: a free port)',
    HOST: 'the address the API listens on',
    CORS_ORIGINS: {
      meaning: 'comma-separated SPA origins (credentials allowed)',
      default: 'the `FRONTEND_URL` origin',
    },
    FRONTEND_URL: 'where the Kakao callback sends the browser',
    BODY_LIMIT_BYTES: 'larger request bodies answer 413',
    SHUTDOWN_DRAIN_MS: 'after SIGTERM, readiness fails this long before the server stops taking requests',
    TRUST_PROXY: 'trust one hop of `X-Forwarded-For` (the ALB; infra sets `true`)',
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS:
      'new requests answer 503 `OVERLOADED` while the mean event-loop delay is above; 0 = never',
    OVERLOAD_MAX_HEAP_USED_PERCENT: "... or while the heap in use is above this share of V8's limit; 0 = never",
  },
});

const PLACEHOLDER_SECRETS = /^(change-?me|secret|password|jwt[-_]?secret|your[-_].*|x+|0+)$/i;
/** Keys that were once published (docker/compose.yml shipped this one): whoever read them can sign tokens. */
const PUBLISHED_SECRETS = new Set(['compose-only-5a0f8e2c7d1b49e6a3c8f0d2b7e4a916c5d3']);

export const authEnv = envPiece({
  shape: {
    JWT_SECRET: z
      .string()
      // 32 random bytes are 43 characters of base64: anything shorter cannot hold them.
      .min(43, 'must be at least 32 random bytes, e.g. 43+ characters from: openssl rand -base64 48')
      .refine((value) => !PLACEHOLDER_SECRETS.test(value) && new Set(value).size >= 10, {
        message: 'looks like a placeholder; use random data (openssl rand -base64 48)',
      })
      .refine((value) => !PUBLISHED_SECRETS.has(value), {
        message: 'is a published key; use random data of your own (openssl rand -base64 48)',
      }),
    JWT_ISSUER: z.string().min(1).default('modak'),
    JWT_AUDIENCE: z.string().min(1).default('modak-spa'),
    ADMIN_EMAILS: listVar(z.email({ message: 'must be email addresses' })),
    KAKAO_CLIENT_ID: z.string().min(1).optional(),
    KAKAO_CLIENT_SECRET: z.string().min(1).optional(),
    KAKAO_REDIRECT_URI: urlVar('http', 'https').optional(),
    KAKAO_APP_ID: z
      .string()
      .regex(/^\d{1,20}$/, 'must be the numeric app id')
      .optional(),
    KAKAO_AUTH_URL: urlVar('http', 'https').default('https://kauth.kakao.com'),
  },
  docs: {
    JWT_SECRET: {
      meaning: 'HS256 key of the access tokens, at least 32 random bytes',
      default: 'generated into `.data/jwt-secret` by `npm start`',
    },
    JWT_ISSUER: "the access tokens' `iss`",
    JWT_AUDIENCE: "the access tokens' `aud`",
    ADMIN_EMAILS: 'addresses that become `ADMIN`',
    KAKAO_CLIENT_ID: "the Kakao app's REST API key; unset = Kakao sign-in off (id, redirect and app id go together)",
    KAKAO_CLIENT_SECRET: "the Kakao app's client secret, when the app has one",
    KAKAO_REDIRECT_URI: 'the callback registered with Kakao (`.../api/v1/auth/kakao/callback`)',
    KAKAO_APP_ID: "the Kakao app's numeric id (tokens of other apps are refused)",
    KAKAO_AUTH_URL: "Kakao's OAuth host (the stub in tests)",
  },
});

/** Limits on the attack surface of sign-in (SECURITY.md), shared by every API instance through Redis. */
export const rateLimitEnv = envPiece({
  shape: {
    RATE_LIMIT_LOGIN_ACCOUNT_IP: rateVar('10/15m'),
    RATE_LIMIT_LOGIN_ACCOUNT: rateVar('100/24h'),
    RATE_LIMIT_LOGIN_IP: rateVar('50/15m'),
    RATE_LIMIT_SIGNUP_IP: rateVar('10/1h'),
    RATE_LIMIT_RESEND_IP: rateVar('10/1h'),
    RATE_LIMIT_VERIFY_EMAIL: rateVar('10/15m'),
    RATE_LIMIT_VERIFY_IP: rateVar('30/15m'),
    RATE_LIMIT_REFRESH_SESSION: rateVar('30/1m'),
    RATE_LIMIT_KAKAO_IP: rateVar('30/1m'),
  },
  docs: {
    RATE_LIMIT_LOGIN_ACCOUNT_IP: { meaning: 'failed sign-ins per account and client network', default: '`10/15m`' },
    RATE_LIMIT_LOGIN_ACCOUNT: { meaning: 'failed sign-ins per account from unknown devices', default: '`100/24h`' },
    RATE_LIMIT_LOGIN_IP: { meaning: 'sign-ins per client network', default: '`50/15m`' },
    RATE_LIMIT_SIGNUP_IP: { meaning: 'signups per client network', default: '`10/1h`' },
    RATE_LIMIT_RESEND_IP: {
      meaning: 'code resends and forgotten-password mails per client network',
      default: '`10/1h`',
    },
    RATE_LIMIT_VERIFY_EMAIL: { meaning: 'code checks per address', default: '`10/15m`' },
    RATE_LIMIT_VERIFY_IP: { meaning: 'code checks per client network', default: '`30/15m`' },
    RATE_LIMIT_REFRESH_SESSION: { meaning: 'refreshes per session', default: '`30/1m`' },
    RATE_LIMIT_KAKAO_IP: { meaning: 'Kakao sign-ins per client network', default: '`30/1m`' },
  },
});

export interface ApiConfig {
  nodeEnv: NodeEnv;
  production: boolean;
  logLevel: string;
  http: {
    port: number;
    host: string;
    corsOrigins: string[];
    frontendUrl: string;
    bodyLimitBytes: number;
    shutdownDrainMs: number;
    trustProxy: boolean;
    loadShedding: LoadSheddingConfig;
  };
  auth: AuthConfig;
  database: DatabaseConfig;
  redis: RedisConfig;
  /** Seals mail for its way through the queue (`MailSeal`). */
  mailSealKey: string;
}

/** Every piece of the api's environment (the README's configuration table lists them: scripts/config-docs.mjs). */
export const API_ENV = [
  coreEnv,
  httpEnv,
  authEnv,
  kakaoAdminEnv,
  rateLimitEnv,
  databaseEnv,
  redisEnv,
  mailSealEnv,
] as const;

const KAKAO_REQUIRED = ['KAKAO_CLIENT_ID', 'KAKAO_REDIRECT_URI', 'KAKAO_APP_ID'] as const;

/** Reads and validates the api's environment; throws a one-line {@link ConfigError} naming the bad variable. */
export function loadApiConfig(env: Env): ApiConfig {
  const parsed = parseEnv(env, ...API_ENV);
  // Kakao is optional, but all or nothing: a partial set is a mistake worth stopping for.
  if (KAKAO_REQUIRED.some((key) => parsed[key] !== undefined)) {
    const missing = KAKAO_REQUIRED.find((key) => parsed[key] === undefined);
    if (missing) throw new ConfigError(missing, 'is required when Kakao sign-in is configured');
  }
  const production = parsed.NODE_ENV === 'production';
  // The SPA's origins: CORS answers them, and a request authenticated by the refresh cookie must come from one.
  const corsOrigins =
    parsed.CORS_ORIGINS.length > 0 || production ? parsed.CORS_ORIGINS : [new URL(parsed.FRONTEND_URL).origin];
  return {
    nodeEnv: parsed.NODE_ENV,
    production,
    logLevel: parsed.LOG_LEVEL,
    http: {
      port: parsed.PORT,
      host: parsed.HOST,
      corsOrigins,
      frontendUrl: parsed.FRONTEND_URL,
      bodyLimitBytes: parsed.BODY_LIMIT_BYTES,
      shutdownDrainMs: parsed.SHUTDOWN_DRAIN_MS,
      trustProxy: parsed.TRUST_PROXY,
      loadShedding: {
        maxEventLoopDelayMs: parsed.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS,
        maxHeapUsedPercent: parsed.OVERLOAD_MAX_HEAP_USED_PERCENT,
      },
    },
    auth: {
      jwtSecret: parsed.JWT_SECRET,
      jwtIssuer: parsed.JWT_ISSUER,
      jwtAudience: parsed.JWT_AUDIENCE,
      adminEmails: parsed.ADMIN_EMAILS.map((email) => email.toLowerCase()),
      kakao: parsed.KAKAO_CLIENT_ID
        ? {
            clientId: parsed.KAKAO_CLIENT_ID,
            clientSecret: parsed.KAKAO_CLIENT_SECRET,
            redirectUri: parsed.KAKAO_REDIRECT_URI!,
            appId: parsed.KAKAO_APP_ID!,
            authUrl: parsed.KAKAO_AUTH_URL.replace(/\/$/, ''),
            apiUrl: parsed.KAKAO_API_URL.replace(/\/$/, ''),
            adminKey: parsed.KAKAO_ADMIN_KEY,
          }
        : undefined,
      secureCookies: production,
      allowedOrigins: corsOrigins,
      frontendUrl: parsed.FRONTEND_URL,
      rateLimits: {
        loginAccountIp: parsed.RATE_LIMIT_LOGIN_ACCOUNT_IP,
        loginAccount: parsed.RATE_LIMIT_LOGIN_ACCOUNT,
        loginIp: parsed.RATE_LIMIT_LOGIN_IP,
        signupIp: parsed.RATE_LIMIT_SIGNUP_IP,
        resendIp: parsed.RATE_LIMIT_RESEND_IP,
        verifyEmail: parsed.RATE_LIMIT_VERIFY_EMAIL,
        verifyIp: parsed.RATE_LIMIT_VERIFY_IP,
        refreshSession: parsed.RATE_LIMIT_REFRESH_SESSION,
        kakaoIp: parsed.RATE_LIMIT_KAKAO_IP,
      },
    },
    database: databaseConfigFrom(parsed, 'modak-api'),
    redis: redisConfigFrom(parsed),
    mailSealKey: parsed.MAIL_SEAL_KEY,
  };
}
