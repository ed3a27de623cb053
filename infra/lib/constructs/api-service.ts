import { Duration } from 'aws-cdk-lib';
import { SubnetType, type ISecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { FargateService, PropagatedTagSource, type ICluster } from 'aws-cdk-lib/aws-ecs';
import type { ApplicationTargetGroup } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AppRuntime } from '../app-environment';
import { AppTaskDefinition } from './app-task-definition';

/** During a deployment the api runs up to twice its tasks: the new ones start beside the old ones. */
export const API_DEPLOYMENT_MAXIMUM_PERCENT = 200;

export interface ApiServiceProps {
  runtime: AppRuntime;
  cluster: ICluster;
  securityGroup: ISecurityGroup;
  targetGroup: ApplicationTargetGroup;
  logGroup: ILogGroup;
}

/**
 * The api on Fargate behind the load balancer. Deploys roll without downtime: new tasks start beside the old ones
 * (min 100% / max 200%), take traffic once /health/ready answers 200, and the old ones drain; a deploy whose tasks do
 * not become healthy is stopped and rolled back by the circuit breaker. Scales on CPU and on requests per task.
 */
export class ApiService extends Construct {
  readonly service: FargateService;

  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    const { runtime, targetGroup } = props;
    const { sizes } = runtime.config;
    const { taskDefinition } = new AppTaskDefinition(this, 'Task', {
      process: 'api',
      runtime,
      logGroup: props.logGroup,
      cpu: sizes.apiCpu,
      memoryMiB: sizes.apiMemoryMiB,
    });

    // No desiredCount: autoscaling owns it, and a deploy must not reset it (CloudFormation keeps the current count).
    this.service = new FargateService(this, 'Service', {
      serviceName: 'modak-api',
      cluster: props.cluster,
      taskDefinition,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [props.securityGroup],
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: API_DEPLOYMENT_MAXIMUM_PERCENT,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      propagateTags: PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });
    this.service.attachToApplicationTargetGroup(targetGroup);

    const scaling = this.service.autoScaleTaskCount({ minCapacity: sizes.apiMinTasks, maxCapacity: sizes.apiMaxTasks });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: sizes.apiCpuTarget,
      scaleOutCooldown: Duration.minutes(1),
      scaleInCooldown: Duration.minutes(5),
    });
    scaling.scaleOnRequestCount('Requests', {
      requestsPerTarget: sizes.apiRequestsPerTarget,
      targetGroup,
      scaleOutCooldown: Duration.minutes(1),
      scaleInCooldown: Duration.minutes(5),
    });
  }
}
