import { Match } from 'aws-cdk-lib/assertions';
import { APP_DATABASE_USER, APP_PASSWORD_ROTATION } from '../lib/constructs/postgres';
import { onlyResource, resourcesOf, synthesize } from './support/modak';

const modak = synthesize();
const { data: template } = modak.templates;
const instances = resourcesOf(template, 'AWS::RDS::DBInstance');
const [primaryId, primary] = Object.entries(instances).find(
  ([, instance]) => instance.Properties!.SourceDBInstanceIdentifier === undefined,
)!;
const [, replica] = Object.entries(instances).find(
  ([, instance]) => instance.Properties!.SourceDBInstanceIdentifier !== undefined,
)!;

describe('PostgreSQL', () => {
  test('a Multi-AZ primary, encrypted with a rotating key of its own, TLS required', () => {
    expect(primary.Properties).toMatchObject({
      Engine: 'postgres',
      EngineVersion: expect.stringMatching(/^17\./),
      DBInstanceClass: 'db.t4g.medium',
      MultiAZ: true,
      StorageEncrypted: true,
      KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^PostgresKey/), 'Arn'] },
      PubliclyAccessible: false,
      Port: '5432',
      DBName: 'modak',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      Description: Match.stringLikeRegexp('PostgreSQL'),
    });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
  });

  test('backed up for 14 days, protected from deletion, snapshotted if ever removed', () => {
    expect(primary.Properties).toMatchObject({
      BackupRetentionPeriod: 14,
      DeletionProtection: true,
      CopyTagsToSnapshot: true,
    });
    expect(primary).toMatchObject({ DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    expect(modak.data.terminationProtection).toBe(true);
  });

  test('master credentials generated into Secrets Manager, never in the template', () => {
    const secret = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret')).find(
      ([, s]) => s.Properties!.Name === 'modak/database',
    )!;
    expect(secret[1].Properties).toMatchObject({
      GenerateSecretString: { GenerateStringKey: 'password', SecretStringTemplate: '{"username":"modak"}' },
    });
    expect(secret[1].Properties!.SecretString).toBeUndefined();
    expect(primary.Properties!.MasterUserPassword).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secret[0] }, ':SecretString:password::}}']],
    });
    template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { TargetId: { Ref: primaryId } });
  });

  describe("the api's login role (modak_app)", () => {
    const [secretId, secret] = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret')).find(
      ([, s]) => s.Properties!.Name === 'modak/database-app',
    )!;
    const attachment = Object.entries(resourcesOf(template, 'AWS::SecretsManager::SecretTargetAttachment')).find(
      ([, a]) => (a.Properties!.SecretId as { Ref: string }).Ref === secretId,
    )!;

    test('its credentials are generated into a secret of their own, encrypted like the master secret', () => {
      expect(secret.Properties).toMatchObject({
        GenerateSecretString: {
          GenerateStringKey: 'password',
          SecretStringTemplate: JSON.stringify({ username: APP_DATABASE_USER, dbname: 'modak' }),
        },
      });
      expect(APP_DATABASE_USER).toBe('modak_app');
      expect(secret.Properties!.SecretString).toBeUndefined();
      // Neither has a customer managed key: both use the account's Secrets Manager key.
      const master = Object.values(resourcesOf(template, 'AWS::SecretsManager::Secret')).find(
        (s) => s.Properties!.Name === 'modak/database',
      )!;
      expect([secret.Properties!.KmsKeyId, master.Properties!.KmsKeyId]).toEqual([undefined, undefined]);
    });

    test('attached to the primary, so that the secret holds engine, host and port for the rotation', () => {
      expect(attachment[1].Properties).toEqual({
        SecretId: { Ref: secretId },
        TargetId: { Ref: primaryId },
        TargetType: 'AWS::RDS::DBInstance',
      });
    });

    test('rotated every 30 days by the hosted single-user PostgreSQL rotation, in the VPC, never at creation', () => {
      const { properties: rotation } = onlyResource(template, 'AWS::SecretsManager::RotationSchedule');
      expect(rotation).toMatchObject({
        SecretId: { Ref: attachment[0] },
        RotationRules: { ScheduleExpression: `rate(${APP_PASSWORD_ROTATION.toDays()} days)` },
        // The role exists only once the first migration has run.
        RotateImmediatelyOnUpdate: false,
        HostedRotationLambda: {
          RotationType: 'PostgreSQLSingleUser',
          RotationLambdaName: 'modak-database-app-rotation',
        },
      });
      expect(APP_PASSWORD_ROTATION.toDays()).toBe(30);
      const lambda = rotation.HostedRotationLambda as Record<string, unknown>;
      // The subnets with a route out (Secrets Manager through the NAT) and the group that may reach the primary.
      expect(JSON.stringify(lambda.VpcSubnetIds)).toMatch(/appSubnet1.*appSubnet2/);
      expect(JSON.stringify(lambda.VpcSecurityGroupIds)).toContain('SecurityGroupsRotation');
      // The master secret is not involved: the role changes its own password.
      expect(lambda.MasterSecretArn).toBeUndefined();
      // New passwords avoid the same characters as the generated one.
      expect(lambda.ExcludeCharacters).toBe(
        (secret.Properties!.GenerateSecretString as { ExcludeCharacters: string }).ExcludeCharacters,
      );
      expect(template.toJSON().Transform).toBe('AWS::SecretsManager-2024-09-16');
      // Its log group, made before it with the configured retention.
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: '/aws/lambda/modak-database-app-rotation',
        RetentionInDays: 30,
      });
    });
  });

  test('a read replica of the primary, in the isolated subnets, protected from deletion', () => {
    expect(replica.Properties).toMatchObject({
      SourceDBInstanceIdentifier: { 'Fn::Join': ['', [expect.stringContaining(':db:'), { Ref: primaryId }]] },
      DBInstanceClass: 'db.t4g.medium',
      DeletionProtection: true,
      PubliclyAccessible: false,
      StorageType: 'gp3',
    });
    // Encrypted like its source: CloudFormation refuses StorageEncrypted (and takes no KmsKeyId) on a same-region replica.
    expect(replica.Properties!.StorageEncrypted).toBeUndefined();
    for (const subnetGroup of Object.values(resourcesOf(template, 'AWS::RDS::DBSubnetGroup'))) {
      expect(JSON.stringify(subnetGroup.Properties!.SubnetIds)).toMatch(/dataSubnet1.*dataSubnet2/);
    }
  });

  test('Performance Insights on both instances, encrypted with the database key; both grow their storage alike', () => {
    for (const instance of [primary, replica]) {
      expect(instance.Properties).toMatchObject({
        EnablePerformanceInsights: true,
        PerformanceInsightsRetentionPeriod: 7,
        PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^PostgresKey/), 'Arn'] },
        MaxAllocatedStorage: primary.Properties!.MaxAllocatedStorage,
      });
    }
    expect(primary.Properties!.MaxAllocatedStorage).toBeGreaterThan(Number(primary.Properties!.AllocatedStorage));
  });

  test('database logs exported to log groups with a retention', () => {
    for (const instance of [primary, replica])
      expect(instance.Properties!.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
    for (const name of [
      'modak-primary/postgresql',
      'modak-primary/upgrade',
      'modak-replica/postgresql',
      'modak-replica/upgrade',
    ]) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/instance/${name}`,
        RetentionInDays: 30,
      });
    }
  });
});

describe('Redis', () => {
  const { properties: group } = onlyResource(template, 'AWS::ElastiCache::ReplicationGroup');

  test('a replication group with TLS required, encryption at rest and an AUTH token', () => {
    expect(group).toMatchObject({
      Engine: 'redis',
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
      AtRestEncryptionEnabled: true,
      Port: 6379,
    });
    const token = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret')).find(
      ([, s]) => s.Properties!.Name === 'modak/redis-auth-token',
    )!;
    expect(token[1].Properties!.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    expect(group.AuthToken).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: token[0] }, ':SecretString:::}}']],
    });
  });

  test('Multi-AZ: a primary and a replica with automatic failover, in the isolated subnets', () => {
    expect(group).toMatchObject({ MultiAZEnabled: true, AutomaticFailoverEnabled: true, NumCacheClusters: 2 });
    const { properties: subnets } = onlyResource(template, 'AWS::ElastiCache::SubnetGroup');
    expect(JSON.stringify(subnets.SubnetIds)).toMatch(/dataSubnet1.*dataSubnet2/);
  });

  test('noeviction, so that the mail queue never loses a job', () => {
    template.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      Properties: { 'maxmemory-policy': 'noeviction' },
    });
  });
});
