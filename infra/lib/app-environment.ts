import { Secret as EcsSecret, type ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ModakConfig } from './config';
import type { AppSecrets } from './constructs/app-secrets';
import { APP_DATABASE_USER } from './constructs/postgres';
import { APP_PORT, DATABASE_NAME, NODE_OPTIONS, SHUTDOWN_DRAIN, type COMMANDS } from './runtime';

/** The processes of the image. */
export type AppProcess = keyof typeof COMMANDS;

/** Where a task finds what it talks to. */
export interface AppRuntime {
  config: ModakConfig;
  image: ContainerImage;
  database: {
    primary: IDatabaseInstance;
    replica: IDatabaseInstance;
    /** The master user: the migration task's. */
    credentials: ISecret;
    /** The api's role (APP_DATABASE_USER), created and granted by the migration task, rotated by Secrets Manager. */
    appCredentials: ISecret;
  };
  cache: { host: string; port: string; authToken: ISecret };
  secrets: AppSecrets;
}

export interface ProcessEnvironment {
  environment: Record<string, string>;
  secrets: Record<string, EcsSecret>;
  /** Secrets the process reads from Secrets Manager itself while it runs: its task role may read them. */
  readsAtRuntime: ISecret[];
}

/**
 * The environment of one process on ECS: plain values for what is not secret, Secrets Manager references for what is.
 *
 * Secrets Manager cannot compose a URL, so instead of DATABASE_URL, DATABASE_REPLICA_URLS and REDIS_URL the tasks
 * get their parts (DB_*, REDIS_*); docker/entrypoint.mjs composes the URLs before the app reads its configuration.
 * Each process gets only what its configuration reads, and logs in to PostgreSQL with the least it needs:
 * - migrate: the master user (owner of the schema); it creates or updates the api's role with the password of the
 *   role's secret (DATABASE_APP_USER, DATABASE_APP_PASSWORD) and grants it DML;
 * - api: the api's role; with DATABASE_PASSWORD_SECRET_ID its pool reads the current password for each new
 *   connection, so a rotation needs no restart;
 * - worker: no database at all (Redis, SMTP, Kakao).
 */
export function processEnvironment(process: AppProcess, runtime: AppRuntime): ProcessEnvironment {
  const { config, database, cache, secrets } = runtime;
  const base = { NODE_ENV: 'production', NODE_OPTIONS, LOG_LEVEL: 'info' };
  const primary = {
    DB_HOST: config.databasePrimaryHost ?? database.primary.dbInstanceEndpointAddress,
    DB_PORT: database.primary.dbInstanceEndpointPort,
    DB_NAME: DATABASE_NAME,
  };
  const login = (credentials: ISecret) => ({
    DB_USER: EcsSecret.fromSecretsManager(credentials, 'username'),
    DB_PASSWORD: EcsSecret.fromSecretsManager(credentials, 'password'),
  });

  if (process === 'migrate') {
    return {
      environment: { ...base, ...primary, DATABASE_APP_USER: APP_DATABASE_USER },
      secrets: {
        ...login(database.credentials),
        DATABASE_APP_PASSWORD: EcsSecret.fromSecretsManager(database.appCredentials, 'password'),
      },
      readsAtRuntime: [],
    };
  }

  const redis = { REDIS_HOST: cache.host, REDIS_PORT: cache.port };
  const redisSecrets = {
    REDIS_AUTH_TOKEN: EcsSecret.fromSecretsManager(cache.authToken),
    // The api seals mail with it, the worker opens it.
    MAIL_SEAL_KEY: EcsSecret.fromSecretsManager(secrets.mailSeal),
  };
  // The worker unlinks closed accounts at Kakao with the admin key; the api checks Kakao's unlink callback with it.
  const kakaoAdmin = secrets.kakaoAdminKey && { KAKAO_ADMIN_KEY: EcsSecret.fromSecretsManager(secrets.kakaoAdminKey) };
  if (process === 'worker') {
    return {
      environment: { ...base, ...redis, MAIL_FROM: config.app.mailFrom },
      secrets: { ...redisSecrets, SMTP_URL: EcsSecret.fromSecretsManager(secrets.smtpUrl), ...kakaoAdmin },
      readsAtRuntime: [],
    };
  }

  const { kakao } = config.app;
  return {
    environment: {
      ...base,
      ...primary,
      DB_REPLICA_HOSTS: database.replica.dbInstanceEndpointAddress,
      // The secret's ARN, not its value: the pool reads the current password from it (AWSCURRENT, field password).
      DATABASE_PASSWORD_SECRET_ID: database.appCredentials.secretArn,
      ...redis,
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
      // The password at task start; the pool reads the current one from DATABASE_PASSWORD_SECRET_ID after that.
      ...login(database.appCredentials),
      ...redisSecrets,
      JWT_SECRET: EcsSecret.fromSecretsManager(secrets.jwt),
      ...(secrets.kakaoClientSecret && {
        KAKAO_CLIENT_SECRET: EcsSecret.fromSecretsManager(secrets.kakaoClientSecret),
      }),
      ...kakaoAdmin,
    },
    readsAtRuntime: [database.appCredentials],
  };
}
