import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { InstanceType, SubnetType, type ISecurityGroup, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  CaCertificate,
  Credentials,
  DatabaseSecret,
  DatabaseInstance,
  DatabaseInstanceEngine,
  DatabaseInstanceReadReplica,
  ParameterGroup,
  PerformanceInsightRetention,
  PostgresEngineVersion,
  StorageType,
} from 'aws-cdk-lib/aws-rds';
import { HostedRotation, Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ModakConfig } from '../config';
import { DATABASE_NAME, DATABASE_USER, POSTGRES_PORT } from '../runtime';

export interface PostgresProps {
  config: ModakConfig;
  vpc: IVpc;
  securityGroup: ISecurityGroup;
  /** The group of the function that rotates the app role's password: it must reach the primary. */
  rotationSecurityGroup: ISecurityGroup;
}

/**
 * The login role of the api: DML on the tables of schema public and nothing else. The migration task creates or
 * updates it with the password of its secret; the master user stays with migrations and bootstrap.
 */
export const APP_DATABASE_USER = 'modak_app';
/** How often Secrets Manager rotates the app role's password. */
export const APP_PASSWORD_ROTATION = Duration.days(30);
/**
 * Left out of generated passwords, as RDS's own secrets do: characters that a shell, a URL or a connection string
 * would have to escape. The rotation generates its passwords with the same set.
 */
const PASSWORD_EXCLUDED = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\';

const LOG_EXPORTS = ['postgresql', 'upgrade'];
const PRIMARY_ID = 'modak-primary';
const REPLICA_ID = 'modak-replica';
const ROTATION_FUNCTION = 'modak-database-app-rotation';

/**
 * The PostgreSQL primary (Multi-AZ, with a standby in another zone) and one read replica, in the isolated subnets,
 * encrypted with a key of their own, TLS required. The master credentials (the migration task's) and those of the
 * api's role are generated into Secrets Manager; Secrets Manager rotates the api role's password every 30 days.
 */
export class Postgres extends Construct {
  readonly primary: DatabaseInstance;
  readonly replica: DatabaseInstanceReadReplica;
  /** The master user, owner of the schema: migrations and bootstrap only. */
  readonly credentials: ISecret;
  /** The api's role ({@link APP_DATABASE_USER}): engine, host, port, dbname, username, password. */
  readonly appCredentials: ISecret;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const { config, vpc, securityGroup, rotationSecurityGroup } = props;
    const { sizes } = config;

    const key = new Key(this, 'Key', {
      description: 'Modak PostgreSQL storage and snapshots',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const secret = new DatabaseSecret(this, 'Credentials', { username: DATABASE_USER, secretName: 'modak/database' });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Only the migration task logs in as the master user, reading the password when it starts; the password is rotated by hand between deploys by the runbook in docs/deploy.md, and no running service uses it.',
    });
    const engine = DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_17_9 });
    const parameterGroup = new ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Modak: TLS required, slow statements logged',
      parameters: { 'rds.force_ssl': '1', log_min_duration_statement: '1000' },
    });
    // Shared by both instances.
    const shared = {
      instanceType: new InstanceType(sizes.dbInstanceType),
      vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [securityGroup],
      port: POSTGRES_PORT,
      storageType: StorageType.GP3,
      parameterGroup,
      caCertificate: CaCertificate.RDS_CA_RSA2048_G1,
      autoMinorVersionUpgrade: true,
      // 02:00-03:00 on Monday in Seoul (UTC+9).
      preferredMaintenanceWindow: 'sun:17:00-sun:18:00',
      cloudwatchLogsExports: LOG_EXPORTS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      // Which statements and waits load the database, per minute, for the 7 days AWS keeps for free.
      enablePerformanceInsights: true,
      performanceInsightRetention: PerformanceInsightRetention.DEFAULT,
      performanceInsightEncryptionKey: key,
      // The replica replays every write of the primary: it must be able to grow as far.
      maxAllocatedStorage: sizes.dbMaxAllocatedStorageGiB,
    };

    this.primary = new DatabaseInstance(this, 'Primary', {
      ...shared,
      instanceIdentifier: PRIMARY_ID,
      engine,
      databaseName: DATABASE_NAME,
      credentials: Credentials.fromSecret(secret),
      multiAz: true,
      storageEncryptionKey: key,
      allocatedStorage: sizes.dbAllocatedStorageGiB,
      backupRetention: Duration.days(sizes.dbBackupRetentionDays),
      // 01:00-01:30 in Seoul, before the maintenance window.
      preferredBackupWindow: '16:00-16:30',
      copyTagsToSnapshot: true,
    });
    this.credentials = this.primary.secret!;

    // Encrypted like the master secret, with the account's Secrets Manager key. The attachment adds engine, host and
    // port to the JSON, which the hosted rotation needs with username, password and dbname.
    const appSecret = new Secret(this, 'AppCredentials', {
      secretName: 'modak/database-app',
      description: `PostgreSQL login of the api (${APP_DATABASE_USER}): created and granted by the migration task, rotated by Secrets Manager`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: APP_DATABASE_USER, dbname: DATABASE_NAME }),
        generateStringKey: 'password',
        passwordLength: 30,
        excludeCharacters: PASSWORD_EXCLUDED,
      },
    });
    this.appCredentials = appSecret.attach(this.primary);
    // Single user: the role changes its own password (the pool of the api reads the secret for each new connection).
    // Not at creation: the role exists only once the first migration has run. With a hosted rotation, CDK also denies
    // the secret's deletion in its resource policy.
    new LogGroup(this, 'AppCredentialsRotationLogs', {
      // Lambda would create it on the first rotation (30 days later), without a retention; made here, it gets one.
      logGroupName: `/aws/lambda/${ROTATION_FUNCTION}`,
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.appCredentials.addRotationSchedule('Rotation', {
      hostedRotation: HostedRotation.postgreSqlSingleUser({
        functionName: ROTATION_FUNCTION,
        vpc,
        vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [rotationSecurityGroup],
        excludeCharacters: PASSWORD_EXCLUDED,
      }),
      automaticallyAfter: APP_PASSWORD_ROTATION,
      rotateImmediatelyOnUpdate: false,
    });

    this.replica = new DatabaseInstanceReadReplica(this, 'Replica', {
      ...shared,
      instanceIdentifier: REPLICA_ID,
      sourceDatabaseInstance: this.primary,
    });

    for (const [instance, identifier] of [
      [this.primary, PRIMARY_ID],
      [this.replica, REPLICA_ID],
    ] as const) {
      for (const log of LOG_EXPORTS) {
        // RDS would create these on first export, without a retention; made here first, they get one.
        const logGroup = new LogGroup(this, `${instance.node.id}${log}Logs`, {
          logGroupName: `/aws/rds/instance/${identifier}/${log}`,
          retention: config.logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        });
        instance.node.addDependency(logGroup);
      }
    }

    for (const instance of [this.primary, this.replica]) {
      Validations.of(instance.node.defaultChild!).acknowledge({
        id: 'AwsSolutions-RDS11',
        reason:
          'PostgreSQL keeps its standard port 5432: the instances sit in isolated subnets and admit only the task security groups, so another port would hide nothing.',
      });
    }
    Validations.of(this.replica.node.defaultChild!).acknowledge(
      {
        id: 'AwsSolutions-RDS2',
        reason:
          'A read replica is encrypted with the key of its encrypted source; CloudFormation rejects StorageEncrypted on a replica.',
      },
      {
        id: 'AwsSolutions-RDS3',
        reason:
          'The replica only serves reads: when it is down the app reads from the primary (readiness says degraded), so a standby of the replica would double its price without adding availability.',
      },
    );
  }
}
