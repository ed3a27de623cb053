import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Repository, TagMutability } from 'aws-cdk-lib/aws-ecr';
import { Cluster, ContainerImage, ContainerInsights } from 'aws-cdk-lib/aws-ecs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { AppProcess, AppRuntime } from '../app-environment';
import type { ModakConfig } from '../config';
import { AppSecrets } from '../constructs/app-secrets';
import { AppTaskDefinition } from '../constructs/app-task-definition';
import type { DataStack } from './data-stack';
import type { NetworkStack } from './network-stack';

export interface PlatformStackProps extends StackProps {
  config: ModakConfig;
  network: NetworkStack;
  data: DataStack;
}

/**
 * What a release needs before the services roll: the image repository, the cluster, the application's secrets, the
 * log groups, and the migration task definition, which the deploy runs (and waits for) before it updates the
 * services in the app stack.
 */
export class PlatformStack extends Stack {
  readonly cluster: Cluster;
  readonly runtime: AppRuntime;
  readonly logGroups: Record<AppProcess, LogGroup>;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config, network, data } = props;

    const repository = new Repository(this, 'Repository', {
      repositoryName: 'modak',
      imageTagMutability: TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      lifecycleRules: [{ description: 'Keep the last 50 images (rollback targets)', maxImageCount: 50 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.cluster = new Cluster(this, 'Cluster', {
      clusterName: 'modak',
      vpc: network.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    const logGroup = (process: AppProcess) =>
      new LogGroup(this, `${process}Logs`, {
        logGroupName: `/modak/${process}`,
        retention: config.logRetention,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.logGroups = { api: logGroup('api'), worker: logGroup('worker'), migrate: logGroup('migrate') };
    this.runtime = {
      config,
      image: ContainerImage.fromEcrRepository(repository, config.imageTag),
      database: {
        primary: data.postgres.primary,
        replica: data.postgres.replica,
        credentials: data.postgres.credentials,
        appCredentials: data.postgres.appCredentials,
      },
      cache: { host: data.redis.host, port: data.redis.port, authToken: data.redis.authToken },
      secrets: new AppSecrets(this, 'Secrets', { kakao: config.app.kakao !== undefined }),
    };

    const migration = new AppTaskDefinition(this, 'Migration', {
      process: 'migrate',
      runtime: this.runtime,
      logGroup: this.logGroups.migrate,
      cpu: 256,
      memoryMiB: 512,
    });

    // Where to push the image, and what infra/scripts/run-migration.sh runs the migration task with.
    new CfnOutput(this, 'ClusterName', { value: this.cluster.clusterName });
    new CfnOutput(this, 'RepositoryUri', { value: repository.repositoryUri });
    new CfnOutput(this, 'MigrationTaskDefinition', { value: migration.taskDefinition.taskDefinitionArn });
    new CfnOutput(this, 'MigrationSubnets', {
      value: network.vpc.selectSubnets({ subnetType: SubnetType.PRIVATE_WITH_EGRESS }).subnetIds.join(','),
    });
    new CfnOutput(this, 'MigrationSecurityGroup', { value: network.securityGroups.migration.securityGroupId });
  }
}
