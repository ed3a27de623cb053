import { Duration, Size, Validations } from 'aws-cdk-lib';
import {
  AwsLogDriverMode,
  CpuArchitecture,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { processEnvironment, type AppProcess, type AppRuntime } from '../app-environment';
import { APP_PORT, COMMANDS, HEALTHCHECK_COMMAND, STOP_TIMEOUT, WORKER_HEALTHCHECK_COMMAND } from '../runtime';

/**
 * The container health checks' timing: unhealthy after 3 failed probes 15 s apart (each given 5 s), failures in the
 * first 30 s not counted (the process connects to its dependencies first).
 */
const HEALTH_CHECK_TIMING = {
  interval: Duration.seconds(15),
  timeout: Duration.seconds(5),
  retries: 3,
  startPeriod: Duration.seconds(30),
};

export interface AppTaskDefinitionProps {
  process: AppProcess;
  runtime: AppRuntime;
  logGroup: ILogGroup;
  cpu: number;
  memoryMiB: number;
}

/**
 * A Fargate task definition (family `modak-<process>`) running one process of the image: its command, its environment
 * and secrets, logs to CloudWatch, a read-only root file system, a liveness check for the api and the worker, and for
 * the api its port.
 */
export class AppTaskDefinition extends Construct {
  readonly taskDefinition: FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: AppTaskDefinitionProps) {
    super(scope, id);
    const { process, runtime } = props;
    this.taskDefinition = new FargateTaskDefinition(this, 'TaskDefinition', {
      family: `modak-${process}`,
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.X86_64, operatingSystemFamily: OperatingSystemFamily.LINUX },
    });
    const { environment, secrets, readsAtRuntime } = processEnvironment(process, runtime);
    for (const secret of readsAtRuntime) secret.grantRead(this.taskDefinition.taskRole);
    this.taskDefinition.addContainer(process, {
      image: runtime.image,
      command: [...COMMANDS[process]],
      environment,
      secrets,
      readonlyRootFilesystem: true,
      stopTimeout: STOP_TIMEOUT,
      logging: LogDrivers.awsLogs({
        logGroup: props.logGroup,
        streamPrefix: process,
        // A slow CloudWatch never blocks the app's stdout; the buffer absorbs bursts.
        mode: AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
      ...(process === 'api' && {
        portMappings: [{ containerPort: APP_PORT, name: 'http' }],
        healthCheck: { command: HEALTHCHECK_COMMAND, ...HEALTH_CHECK_TIMING },
      }),
      // A worker whose queue consumer stopped answers 503: ECS replaces the task (and a release whose workers never
      // become healthy is rolled back by the circuit breaker).
      ...(process === 'worker' && {
        healthCheck: { command: WORKER_HEALTHCHECK_COMMAND, ...HEALTH_CHECK_TIMING },
      }),
    });

    Validations.of(this.taskDefinition.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        "Only non-secret settings (hosts, ports, the SPA's URLs, log level) are plain environment variables; every credential comes from Secrets Manager through `secrets`, which the template tests check.",
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken has no resource-level permissions: the execution role needs it on "*" to pull the image.',
    });
  }
}
