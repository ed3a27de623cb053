import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * Everything that differs between deployments, read from CDK context (cdk.json, overridden with `-c key=value`).
 * README.md documents each key; cdk.json holds example values for the environment-specific ones.
 */
export interface ModakConfig {
  account: string;
  region: string;
  availabilityZones: string[];
  vpcCidr: string;
  natGateways: number;

  /** The API's public name, e.g. api.modak.example.com, inside the hosted zone. */
  domainName: string;
  hostedZoneId: string;
  hostedZoneName: string;

  /** The tag of the image in the ECR repository that the services and the migration task run. */
  imageTag: string;
  /** The host the tasks write to instead of the primary: a promoted replica (docs/deploy.md). */
  databasePrimaryHost?: string;

  app: AppSettings;
  sizes: Sizes;
  /** How long CloudWatch keeps the logs of the tasks, the VPC flow logs and the database. */
  logRetention: RetentionDays;
  /** Receives the alarms by email when set. */
  alarmEmail?: string;
}

/** Non-secret application settings that become environment variables of the containers. */
export interface AppSettings {
  frontendUrl: string;
  corsOrigins: string[];
  mailFrom: string;
  adminEmails: string[];
  /** Kakao sign-in, all or nothing; its client secret lives in Secrets Manager. */
  kakao?: { clientId: string; redirectUri: string; appId: string };
}

export interface Sizes {
  apiCpu: number;
  apiMemoryMiB: number;
  apiMinTasks: number;
  apiMaxTasks: number;
  /** Target of the CPU scaling policy, in percent. */
  apiCpuTarget: number;
  /** Target of the request-count scaling policy: ALB requests per task per minute. */
  apiRequestsPerTarget: number;
  workerCpu: number;
  workerMemoryMiB: number;
  workerTasks: number;
  dbInstanceType: string;
  dbAllocatedStorageGiB: number;
  dbMaxAllocatedStorageGiB: number;
  dbBackupRetentionDays: number;
  cacheNodeType: string;
}

/** Defaults of the sizes (README.md prices them). */
export const DEFAULT_SIZES: Sizes = {
  apiCpu: 512,
  apiMemoryMiB: 1024,
  apiMinTasks: 2,
  apiMaxTasks: 6,
  apiCpuTarget: 60,
  apiRequestsPerTarget: 1000,
  workerCpu: 256,
  workerMemoryMiB: 512,
  workerTasks: 1,
  dbInstanceType: 't4g.medium',
  dbAllocatedStorageGiB: 50,
  dbMaxAllocatedStorageGiB: 200,
  dbBackupRetentionDays: 14,
  cacheNodeType: 'cache.t4g.small',
};

export class ConfigError extends Error {
  constructor(key: string, reason: string) {
    super(`context "${key}" ${reason} (see infra/README.md)`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the context; throws a {@link ConfigError} naming the first bad key. */
export function readConfig(node: Node): ModakConfig {
  const context = new Context(node);
  const domainName = context.string('domainName', HOSTNAME);
  const hostedZoneName = context.string('hostedZoneName', HOSTNAME).replace(/\.$/, '');
  if (domainName !== hostedZoneName && !domainName.endsWith(`.${hostedZoneName}`)) {
    throw new ConfigError('domainName', `must be inside the hosted zone ${hostedZoneName}`);
  }
  const frontendUrl = context.string('frontendUrl', HTTP_URL);
  const availabilityZones = context.list('availabilityZones', /^[a-z]{2}-[a-z]+-\d[a-z]$/);
  if (availabilityZones.length < 2) throw new ConfigError('availabilityZones', 'must name at least two zones');

  const sizes: Sizes = {
    apiCpu: context.integer('apiCpu', DEFAULT_SIZES.apiCpu),
    apiMemoryMiB: context.integer('apiMemoryMiB', DEFAULT_SIZES.apiMemoryMiB),
    apiMinTasks: context.integer('apiMinTasks', DEFAULT_SIZES.apiMinTasks),
    apiMaxTasks: context.integer('apiMaxTasks', DEFAULT_SIZES.apiMaxTasks),
    apiCpuTarget: context.integer('apiCpuTarget', DEFAULT_SIZES.apiCpuTarget),
    apiRequestsPerTarget: context.integer('apiRequestsPerTarget', DEFAULT_SIZES.apiRequestsPerTarget),
    workerCpu: context.integer('workerCpu', DEFAULT_SIZES.workerCpu),
    workerMemoryMiB: context.integer('workerMemoryMiB', DEFAULT_SIZES.workerMemoryMiB),
    workerTasks: context.integer('workerTasks', DEFAULT_SIZES.workerTasks),
    dbInstanceType: context.string('dbInstanceType', INSTANCE_TYPE, DEFAULT_SIZES.dbInstanceType),
    dbAllocatedStorageGiB: context.integer('dbAllocatedStorageGiB', DEFAULT_SIZES.dbAllocatedStorageGiB),
    dbMaxAllocatedStorageGiB: context.integer('dbMaxAllocatedStorageGiB', DEFAULT_SIZES.dbMaxAllocatedStorageGiB),
    dbBackupRetentionDays: context.integer('dbBackupRetentionDays', DEFAULT_SIZES.dbBackupRetentionDays),
    cacheNodeType: context.string('cacheNodeType', INSTANCE_TYPE, DEFAULT_SIZES.cacheNodeType),
  };
  if (sizes.apiMaxTasks < sizes.apiMinTasks) throw new ConfigError('apiMaxTasks', 'must be at least apiMinTasks');

  return {
    account: context.string('account', /^\d{12}$/),
    region: context.string('region', /^[a-z]{2}-[a-z]+-\d$/),
    availabilityZones,
    vpcCidr: context.string('vpcCidr', /^\d{1,3}(\.\d{1,3}){3}\/(1[6-9]|2[0-4])$/),
    natGateways: context.integer('natGateways', availabilityZones.length),
    domainName,
    hostedZoneId: context.string('hostedZoneId', /^Z[A-Z0-9]{1,31}$/),
    hostedZoneName,
    imageTag: context.string('imageTag', /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/),
    databasePrimaryHost: context.optionalString('databasePrimaryHost', HOSTNAME),
    app: {
      frontendUrl,
      corsOrigins: context.optionalList('corsOrigins', HTTP_ORIGIN) ?? [new URL(frontendUrl).origin],
      mailFrom: context.string('mailFrom', /^.{3,}$/),
      adminEmails: context.optionalList('adminEmails', EMAIL) ?? [],
      kakao: readKakao(context),
    },
    sizes,
    logRetention: readRetention(context),
    alarmEmail: context.optionalString('alarmEmail', EMAIL),
  };
}

function readKakao(context: Context): AppSettings['kakao'] {
  const clientId = context.optionalString('kakaoClientId', /^\S+$/);
  const redirectUri = context.optionalString('kakaoRedirectUri', HTTP_URL);
  const appId = context.optionalString('kakaoAppId', /^\d{1,20}$/);
  if (clientId === undefined && redirectUri === undefined && appId === undefined) return undefined;
  if (clientId === undefined) throw new ConfigError('kakaoClientId', 'is required when Kakao sign-in is configured');
  if (redirectUri === undefined)
    throw new ConfigError('kakaoRedirectUri', 'is required when Kakao sign-in is configured');
  if (appId === undefined) throw new ConfigError('kakaoAppId', 'is required when Kakao sign-in is configured');
  return { clientId, redirectUri, appId };
}

function readRetention(context: Context): RetentionDays {
  const days = context.integer('logRetentionDays', 30);
  const allowed = Object.values(RetentionDays).filter(
    (value): value is number => typeof value === 'number' && value > 0,
  );
  if (!allowed.includes(days)) throw new ConfigError('logRetentionDays', `must be one of ${allowed.join(', ')}`);
  return days as RetentionDays;
}

const HOSTNAME = /^(?=.{1,253}\.?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/;
const HTTP_URL = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const HTTP_ORIGIN = /^https?:\/\/[^\s/]+$/;
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const INSTANCE_TYPE = /^(cache\.)?[a-z0-9]+\.[a-z0-9]+$/;

/** Context values as the CLI hands them over: `-c` gives strings, cdk.json gives JSON values. */
class Context {
  constructor(private readonly node: Node) {}

  private raw(key: string): unknown {
    const value: unknown = this.node.tryGetContext(key);
    return value === '' || value === null ? undefined : value;
  }

  optionalString(key: string, pattern: RegExp): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !pattern.test(value))
      throw new ConfigError(key, `is malformed: ${JSON.stringify(value)}`);
    return value;
  }

  string(key: string, pattern: RegExp, fallback?: string): string {
    const value = this.optionalString(key, pattern) ?? fallback;
    if (value === undefined) throw new ConfigError(key, 'is required');
    return value;
  }

  integer(key: string, fallback: number): number {
    const value = this.raw(key) ?? fallback;
    const parsed =
      typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < 0)
      throw new ConfigError(key, `must be a whole number: ${JSON.stringify(value)}`);
    return parsed;
  }

  /** A JSON array, or a comma-separated string from `-c`. */
  optionalList(key: string, item: RegExp): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const items = typeof value === 'string' ? value.split(',').map((entry) => entry.trim()) : value;
    if (!Array.isArray(items) || items.some((entry) => typeof entry !== 'string' || !item.test(entry))) {
      throw new ConfigError(key, `must be a list matching ${item}: ${JSON.stringify(value)}`);
    }
    return items as string[];
  }

  list(key: string, item: RegExp): string[] {
    const value = this.optionalList(key, item);
    if (value === undefined) throw new ConfigError(key, 'is required');
    return value;
  }
}
