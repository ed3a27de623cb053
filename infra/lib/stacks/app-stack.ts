import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm, CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AlarmBehavior, type FargateService } from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import type { ModakConfig } from '../config';
import { ApiService } from '../constructs/api-service';
import { ScenarioCanary } from '../constructs/canary';
import { Monitoring } from '../constructs/monitoring';
import { Redis } from '../constructs/redis';
import { WorkerService } from '../constructs/worker-service';
import type { DataStack } from './data-stack';
import type { EdgeStack } from './edge-stack';
import type { NetworkStack } from './network-stack';
import type { PlatformStack } from './platform-stack';

export interface AppStackProps extends StackProps {
  config: ModakConfig;
  network: NetworkStack;
  data: DataStack;
  edge: EdgeStack;
  platform: PlatformStack;
}

/**
 * The running services (api behind the load balancer, worker), their autoscaling, alarms (and the report of a failed
 * rotation of the api's database password) and dashboard, and the canary that runs the smoke scenario against the
 * public API.
 */
export class AppStack extends Stack {
  readonly api: ApiService;
  readonly worker: WorkerService;
  readonly canary: ScenarioCanary;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, network, data, edge, platform } = props;
    const { runtime, cluster, logGroups } = platform;

    this.api = new ApiService(this, 'Api', {
      runtime,
      cluster,
      securityGroup: network.securityGroups.api,
      targetGroup: edge.targetGroup,
      logGroup: logGroups.api,
    });
    this.worker = new WorkerService(this, 'Worker', {
      runtime,
      cluster,
      securityGroup: network.securityGroups.worker,
      logGroup: logGroups.worker,
    });
    this.canary = new ScenarioCanary(this, 'Scenario', { domainName: config.domainName });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      loadBalancer: edge.loadBalancer,
      targetGroup: edge.targetGroup,
      api: this.api.service,
      worker: this.worker.service,
      primary: data.postgres.primary,
      replica: data.postgres.replica,
      cacheNodeIds: Redis.NODE_IDS,
      canary: this.canary.canary,
      webAcl: edge.webAcl,
      databaseAppCredentials: data.postgres.appCredentials,
      sizes: config.sizes,
      alarmEmail: config.alarmEmail,
    });
    rollBackOn(this.api.service, this.monitoring.deploymentAlarms.api);
    rollBackOn(this.worker.service, this.monitoring.deploymentAlarms.worker);
  }
}

/**
 * A deployment of the service that sets off one of the alarms (while it rolls out, or in the bake time after) fails,
 * and ECS rolls the service back to the last deployment that completed. The alarms are named as written, not through
 * their Ref: they watch the load balancer and the processes' metrics, never the service, so no cycle can form; the
 * dependency makes CloudFormation create or update them before the service.
 */
function rollBackOn(service: FargateService, alarms: Alarm[]): void {
  const names = alarms.map((alarm) => (alarm.node.defaultChild as CfnAlarm).alarmName!);
  service.enableDeploymentAlarms(names, { behavior: AlarmBehavior.ROLLBACK_ON_ALARM });
  service.node.addDependency(...alarms);
}
