import { coreEnv, envPiece, intVar, parseEnv, urlVar, type Env } from '@app/core';
import { kakaoAdminEnv, mailSealEnv } from '@app/queue';
import { redisConfigFrom, redisEnv, type RedisConfig } from '@app/redis';
import { z } from 'zod';
import type { KakaoAdminConfig } from './kakao/kakao-unlink.client.js';

export const mailEnv = envPiece({
  shape: {
    SMTP_URL: urlVar('smtp', 'smtps').optional(),
    MAIL_FROM: z.string().min(3).default('Modak <no-reply@modak.local>'),
  },
  embeddedDefaults: ['SMTP_URL', 'MAIL_FROM'],
  docs: {
    SMTP_URL: { meaning: '`smtp://user:pass@host:port` (or `smtps://`)', default: 'unset = mail is logged' },
    MAIL_FROM: 'sender address',
  },
});

export const workerHealthEnv = envPiece({
  shape: {
    /** The loopback port of the worker's health check (`GET /health/live`); 0 lets the system choose. */
    WORKER_HEALTH_PORT: intVar(3001, 0, 65_535),
  },
  docs: {
    WORKER_HEALTH_PORT: "the loopback port of the worker's health check, `GET /health/live` (0: a free port)",
  },
});

export interface MailConfig {
  /** Unset: mail is written to the log instead of sent. */
  smtpUrl?: string;
  from: string;
}

export interface WorkerConfig {
  nodeEnv: string;
  logLevel: string;
  redis: RedisConfig;
  mail: MailConfig;
  /** Opens what the api sealed (`MailSeal`). */
  mailSealKey: string;
  /** Unlinks closed accounts' Kakao users. */
  kakao: KakaoAdminConfig;
  /** Jobs processed at once. */
  concurrency: number;
  /** Where the health check listens (loopback). */
  healthPort: number;
}

/** Every piece of the worker's environment (the README's configuration table lists them: scripts/config-docs.mjs). */
export const WORKER_ENV = [coreEnv, redisEnv, mailEnv, mailSealEnv, kakaoAdminEnv, workerHealthEnv] as const;

export function loadWorkerConfig(env: Env): WorkerConfig {
  const parsed = parseEnv(env, ...WORKER_ENV);
  return {
    nodeEnv: parsed.NODE_ENV,
    logLevel: parsed.LOG_LEVEL,
    redis: redisConfigFrom(parsed),
    mail: { smtpUrl: parsed.SMTP_URL, from: parsed.MAIL_FROM },
    mailSealKey: parsed.MAIL_SEAL_KEY,
    kakao: { apiUrl: parsed.KAKAO_API_URL, adminKey: parsed.KAKAO_ADMIN_KEY },
    concurrency: 5,
    healthPort: parsed.WORKER_HEALTH_PORT,
  };
}
