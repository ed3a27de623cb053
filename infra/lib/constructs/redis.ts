import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { SubnetType, type ISecurityGroup, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { CfnParameterGroup, CfnReplicationGroup, CfnSubnetGroup } from 'aws-cdk-lib/aws-elasticache';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ModakConfig } from '../config';
import { REDIS_PORT } from '../runtime';

export interface RedisProps {
  config: ModakConfig;
  vpc: IVpc;
  securityGroup: ISecurityGroup;
}

/**
 * ElastiCache Redis: a primary and a replica in two zones with automatic failover, TLS required in transit, encrypted
 * at rest, an AUTH token generated into Secrets Manager. `noeviction`, because the mail queue (BullMQ) must never
 * lose a job to eviction: a full Redis refuses writes instead, and the memory alarm fires before that.
 */
export class Redis extends Construct {
  static readonly REPLICATION_GROUP_ID = 'modak';
  /** The ids of the two nodes, for their metrics. */
  static readonly NODE_IDS = ['modak-001', 'modak-002'];

  readonly replicationGroup: CfnReplicationGroup;
  readonly authToken: Secret;
  readonly host: string;
  readonly port: string;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const { config, vpc, securityGroup } = props;

    this.authToken = new Secret(this, 'AuthToken', {
      secretName: 'modak/redis-auth-token',
      description: 'Modak Redis AUTH token (the REDIS_URL password)',
      // ElastiCache accepts printable ASCII without @, " and /; letters and digits need no escaping in a URL.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.authToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'ElastiCache rotates an AUTH token in two steps (ROTATE, then SET once every task has restarted), which the runbook in docs/deploy.md walks through; a rotation Lambda could not restart the tasks in between.',
    });

    const subnetGroup = new CfnSubnetGroup(this, 'Subnets', {
      description: 'Modak Redis: the isolated subnets',
      subnetIds: vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });
    const parameterGroup = new CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: 'redis7',
      description: 'Modak: noeviction (BullMQ)',
      properties: { 'maxmemory-policy': 'noeviction' },
    });
    const slowLog = new LogGroup(this, 'SlowLog', {
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.replicationGroup = new CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: Redis.REPLICATION_GROUP_ID,
      replicationGroupDescription: 'Modak: sessions, token denylist, verification codes, rate limits, mail queue',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: config.sizes.cacheNodeType,
      numCacheClusters: Redis.NODE_IDS.length,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      port: REDIS_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      cacheParameterGroupName: parameterGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: 7,
      // 00:00-01:00 and Monday 03:00-04:00 in Seoul.
      snapshotWindow: '15:00-16:00',
      preferredMaintenanceWindow: 'sun:18:00-sun:19:00',
      logDeliveryConfigurations: [
        {
          destinationType: 'cloudwatch-logs',
          destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
          logFormat: 'json',
          logType: 'slow-log',
        },
      ],
    });
    Validations.of(this.replicationGroup).acknowledge({
      id: 'AwsSolutions-AEC5',
      reason:
        'Redis keeps its standard port 6379: it sits in isolated subnets and admits only the api and worker security groups, so another port would hide nothing.',
    });
    this.host = this.replicationGroup.attrPrimaryEndPointAddress;
    this.port = this.replicationGroup.attrPrimaryEndPointPort;
  }
}
