import { Match } from 'aws-cdk-lib/assertions';
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

  test('credentials generated into Secrets Manager, never in the template', () => {
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
