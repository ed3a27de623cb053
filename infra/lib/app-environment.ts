import { Secret as EcsSecret, type ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ModakConfig } from './config';
import type { AppSecrets } from './constructs/app-secrets';
import { APP_PORT, DATABASE_NAME, NODE_OPTIONS, SHUTDOWN_DRAIN, type COMMANDS } from './runtime';

/** The processes of the image. */
export type AppProcess = keyof typeof COMMANDS;

/** Where a task finds what it talks to. */
export interface AppRuntime {
  config: ModakConfig;
  image: ContainerImage;
  database: { primary: IDatabaseInstance; replica: IDatabaseInstance; credentials: ISecret };
  cache: { host: string; port: string; authToken: ISecret };
  secrets: AppSecrets;
}

export interface ProcessEnvironment {
  environment: Record<string, string>;
  secrets: Record<string, EcsSecret>;
}

/**
 * The environment of one process on ECS: plain values for what is not secret, Secrets Manager references for what is.
 *
 * Secrets Manager cannot compose a URL, so instead of DATABASE_URL, DATABASE_REPLICA_URLS and REDIS_URL the tasks
 * get their parts (DB_*, REDIS_*); docker/entrypoint.mjs composes the URLs before the app reads its configuration.
 * Each process gets only what its configuration reads.
 */
export function processEnvironment(process: AppProcess, runtime: AppRuntime): ProcessEnvironment {
  const { config, database, cache, secrets } = runtime;
  const primary: ProcessEnvironment = {
    environment: {
      NODE_ENV: 'production',
      NODE_OPTIONS,
      LOG_LEVEL: 'info',
      DB_HOST: config.databasePrimaryHost ?? database.primary.dbInstanceEndpointAddress,
      DB_PORT: database.primary.dbInstanceEndpointPort,
      DB_NAME: DATABASE_NAME,
    },
    secrets: {
      DB_USER: EcsSecret.fromSecretsManager(database.credentials, 'username'),
      DB_PASSWORD: EcsSecret.fromSecretsManager(database.credentials, 'password'),
    },
  };
  if (process === 'migrate') return primary;

  const stateful: ProcessEnvironment = {
    environment: {
      ...primary.environment,
      DB_REPLICA_HOSTS: database.replica.dbInstanceEndpointAddress,
      REDIS_HOST: cache.host,
      REDIS_PORT: cache.port,
    },
    secrets: {
      ...primary.secrets,
      REDIS_AUTH_TOKEN: EcsSecret.fromSecretsManager(cache.authToken),
      // The api seals mail with it, the worker opens it.
      MAIL_SEAL_KEY: EcsSecret.fromSecretsManager(secrets.mailSeal),
    },
  };
  // The worker unlinks closed accounts at Kakao with the admin key; the api checks Kakao's unlink callback with it.
  const kakaoAdmin = secrets.kakaoAdminKey && { KAKAO_ADMIN_KEY: EcsSecret.fromSecretsManager(secrets.kakaoAdminKey) };
  if (process === 'worker') {
    return {
      environment: { ...stateful.environment, MAIL_FROM: config.app.mailFrom },
      secrets: { ...stateful.secrets, SMTP_URL: EcsSecret.fromSecretsManager(secrets.smtpUrl), ...kakaoAdmin },
    };
  }

  const { kakao } = config.app;
  return {
    environment: {
      ...stateful.environment,
      PORT: String(APP_PORT),
      SHUTDOWN_DRAIN_MS: String(SHUTDOWN_DRAIN.toMilliseconds()),
      TRUST_PROXY: 'true',
      FRONTEND_URL: config.app.frontendUrl,
      CORS_ORIGINS: config.app.corsOrigins.join(','),
      ...(config.app.adminEmails.length > 0 && { ADMIN_EMAILS: config.app.adminEmails.join(',') }),
      ...(kakao && {
        KAKAO_CLIENT_ID: kakao.clientId,
        KAKAO_REDIRECT_URI: kakao.redirectUri,
        KAKAO_APP_ID: kakao.appId,
      }),
    },
    secrets: {
      ...stateful.secrets,
      JWT_SECRET: EcsSecret.fromSecretsManager(secrets.jwt),
      ...(secrets.kakaoClientSecret && {
        KAKAO_CLIENT_SECRET: EcsSecret.fromSecretsManager(secrets.kakaoClientSecret),
      }),
      ...kakaoAdmin,
    },
  };
}
