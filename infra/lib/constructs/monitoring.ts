import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { FargateService } from 'aws-cdk-lib/aws-ecs';
import {
  HttpCodeElb,
  HttpCodeTarget,
  type ApplicationLoadBalancer,
  type ApplicationTargetGroup,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  loadBalancer: ApplicationLoadBalancer;
  targetGroup: ApplicationTargetGroup;
  api: FargateService;
  worker: FargateService;
  primary: IDatabaseInstance;
  replica: IDatabaseInstance;
  /** The ElastiCache node ids (CacheClusterId) of the Redis replication group. */
  cacheNodeIds: string[];
  alarmEmail?: string;
}

interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  /** Out of the last `evaluationPeriods` one-minute periods, how many must breach. */
  datapointsToAlarm: number;
  evaluationPeriods: number;
  description: string;
  treatMissingData?: TreatMissingData;
  comparisonOperator?: ComparisonOperator;
}

const MINUTE = Duration.minutes(1);

/** Alarms (to an SNS topic, and by email when configured) on what tells that users suffer, and a dashboard. */
export class Monitoring extends Construct {
  private readonly topic: Topic;
  private readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { loadBalancer, targetGroup, api, worker, primary, replica } = props;

    const key = new Key(this, 'TopicKey', { description: 'Modak alarm notifications', enableKeyRotation: true });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { topicName: 'modak-alarms', masterKey: key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    // The busiest node: after a failover the primary is the other one. Ids must differ between metrics on one graph.
    const cacheMetric = (metricName: string) => {
      const ids = props.cacheNodeIds.map((_, index) => `${metricName.toLowerCase()}${index}`);
      return new MathExpression({
        expression: `MAX([${ids.join(', ')}])`,
        label: `Redis ${metricName} (busiest node)`,
        period: MINUTE,
        usingMetrics: Object.fromEntries(
          props.cacheNodeIds.map((nodeId, index) => [
            ids[index],
            new Metric({
              namespace: 'AWS/ElastiCache',
              metricName,
              dimensionsMap: { CacheClusterId: nodeId },
              period: MINUTE,
              statistic: 'Maximum',
            }),
          ]),
        ),
      });
    };

    const requests = {
      elb5xx: loadBalancer.metrics.httpCodeElb(HttpCodeElb.ELB_5XX_COUNT, { period: MINUTE, statistic: 'Sum' }),
      target5xx: targetGroup.metrics.httpCodeTarget(HttpCodeTarget.TARGET_5XX_COUNT, {
        period: MINUTE,
        statistic: 'Sum',
      }),
      target4xx: targetGroup.metrics.httpCodeTarget(HttpCodeTarget.TARGET_4XX_COUNT, {
        period: MINUTE,
        statistic: 'Sum',
      }),
      count: targetGroup.metrics.requestCount({ period: MINUTE, statistic: 'Sum' }),
    };
    const latency = (statistic: string) =>
      targetGroup.metrics.targetResponseTime({ period: MINUTE, statistic, label: statistic });
    const hosts = {
      healthy: targetGroup.metrics.healthyHostCount({ period: MINUTE, statistic: 'Minimum' }),
      unhealthy: targetGroup.metrics.unhealthyHostCount({ period: MINUTE, statistic: 'Maximum' }),
    };
    const replicaLag = replica.metric('ReplicaLag', { period: MINUTE, statistic: 'Maximum' });
    const cpu = {
      api: api.metricCpuUtilization({ period: MINUTE }),
      worker: worker.metricCpuUtilization({ period: MINUTE }),
      primary: primary.metricCPUUtilization({ period: MINUTE }),
      replica: replica.metricCPUUtilization({ period: MINUTE }),
      cache: cacheMetric('EngineCPUUtilization'),
    };
    const cacheMemory = cacheMetric('DatabaseMemoryUsagePercentage');

    const count = {
      treatMissingData: TreatMissingData.NOT_BREACHING,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    };
    this.alarm('load-balancer-5xx', {
      ...count,
      metric: requests.elb5xx,
      threshold: 5,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
      description: 'The load balancer answers 5xx itself (no healthy target, target refused or timed out).',
    });
    this.alarm('target-5xx', {
      ...count,
      metric: requests.target5xx,
      threshold: 5,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
      description: 'The api answers 5xx.',
    });
    this.alarm('target-response-time', {
      metric: latency('p95'),
      threshold: 1,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
      description: 'The api is slow: p95 response time above 1 s.',
    });
    this.alarm('unhealthy-hosts', {
      ...count,
      metric: hosts.unhealthy,
      threshold: 1,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
      description: 'An api task fails /health/ready (a dependency is down, or the task is stuck).',
    });
    this.alarm('replica-lag', {
      metric: replicaLag,
      threshold: 30,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      treatMissingData: TreatMissingData.BREACHING,
      description:
        'The read replica is more than 30 s behind, or reports nothing (down); reads fall back to the primary.',
    });
    this.alarm('api-cpu', {
      metric: cpu.api,
      threshold: 85,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      description: 'The api tasks run above 85% CPU (autoscaling at its maximum?).',
    });
    this.alarm('worker-cpu', {
      metric: cpu.worker,
      threshold: 85,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      description: 'The worker tasks run above 85% CPU.',
    });
    this.alarm('database-cpu', {
      metric: cpu.primary,
      threshold: 80,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      description: 'The PostgreSQL primary runs above 80% CPU.',
    });
    this.alarm('cache-cpu', {
      metric: cpu.cache,
      threshold: 80,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      description: 'A Redis node runs above 80% engine CPU.',
    });
    this.alarm('cache-memory', {
      metric: cacheMemory,
      threshold: 80,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      description:
        'Redis memory above 80%: at 100% it refuses writes (noeviction), so sign-in and the mail queue stop.',
    });

    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: 'modak' });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }));
    dashboard.addWidgets(
      graph(
        'Requests and errors (per minute)',
        [requests.count],
        [requests.elb5xx, requests.target5xx, requests.target4xx],
      ),
      graph('Response time (s)', [latency('p50'), latency('p95'), latency('p99')]),
      graph('api targets', [hosts.healthy, hosts.unhealthy]),
    );
    dashboard.addWidgets(
      graph('Task CPU (%)', [cpu.api, cpu.worker]),
      graph('Task memory (%)', [
        api.metricMemoryUtilization({ period: MINUTE }),
        worker.metricMemoryUtilization({ period: MINUTE }),
      ]),
      graph('PostgreSQL CPU (%) and replica lag (s)', [cpu.primary, cpu.replica], [replicaLag]),
    );
    dashboard.addWidgets(
      graph('PostgreSQL connections', [
        primary.metricDatabaseConnections({ period: MINUTE }),
        replica.metricDatabaseConnections({ period: MINUTE }),
      ]),
      graph('PostgreSQL free storage (bytes)', [primary.metricFreeStorageSpace({ period: MINUTE })]),
      graph('Redis CPU and memory (%)', [cpu.cache, cacheMemory]),
    );
  }

  /** An alarm named `modak-<name>` that notifies the topic when it fires and when it clears. */
  private alarm(name: string, spec: AlarmSpec): void {
    const alarm = new Alarm(this, name, {
      alarmName: `modak-${name}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      comparisonOperator: spec.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.MISSING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
