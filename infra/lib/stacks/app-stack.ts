import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ModakConfig } from '../config';
import { ApiService } from '../constructs/api-service';
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

/** The running services (api behind the load balancer, worker), their autoscaling, alarms and dashboard. */
export class AppStack extends Stack {
  readonly api: ApiService;
  readonly worker: WorkerService;
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
    this.monitoring = new Monitoring(this, 'Monitoring', {
      loadBalancer: edge.loadBalancer,
      targetGroup: edge.targetGroup,
      api: this.api.service,
      worker: this.worker.service,
      primary: data.postgres.primary,
      replica: data.postgres.replica,
      cacheNodeIds: Redis.NODE_IDS,
      alarmEmail: config.alarmEmail,
    });
  }
}
