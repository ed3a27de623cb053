import { SubnetType, type ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { FargateService, PropagatedTagSource, type ICluster } from 'aws-cdk-lib/aws-ecs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AppRuntime } from '../app-environment';
import { AppTaskDefinition } from './app-task-definition';

export interface WorkerServiceProps {
  runtime: AppRuntime;
  cluster: ICluster;
  securityGroup: ISecurityGroup;
  logGroup: ILogGroup;
}

/** The queue worker on Fargate: no inbound traffic; rolls like the api, with the same circuit breaker. */
export class WorkerService extends Construct {
  readonly service: FargateService;

  constructor(scope: Construct, id: string, props: WorkerServiceProps) {
    super(scope, id);
    const { runtime } = props;
    const { sizes } = runtime.config;
    const { taskDefinition } = new AppTaskDefinition(this, 'Task', {
      process: 'worker',
      runtime,
      logGroup: props.logGroup,
      cpu: sizes.workerCpu,
      memoryMiB: sizes.workerMemoryMiB,
    });
    this.service = new FargateService(this, 'Service', {
      serviceName: 'modak-worker',
      cluster: props.cluster,
      taskDefinition,
      desiredCount: sizes.workerTasks,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      propagateTags: PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });
  }
}
