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
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IDatabaseInstance } from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Canary } from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import type { Sizes } from '../config';
import { DATABASE_CONNECTIONS_PER_TASK, METRICS_NAMESPACE, QUEUES } from '../runtime';
import { API_DEPLOYMENT_MAXIMUM_PERCENT } from './api-service';
import { CANARY_INTERVAL } from './canary';
import type { WebAcl } from './web-acl';

export interface MonitoringProps {
  loadBalancer: ApplicationLoadBalancer;
  targetGroup: ApplicationTargetGroup;
  api: FargateService;
  worker: FargateService;
  primary: IDatabaseInstance;
  replica: IDatabaseInstance;
  /** The ElastiCache node ids (CacheClusterId) of the Redis replication group. */
  cacheNodeIds: string[];
  /** The scenario canary, whose failures are alarmed on. */
  canary: Canary;
  /** The WAF in front of the load balancer, whose blocked requests are alarmed on. */
  webAcl: WebAcl;
  /** The api's database login (`modak/database-app`), whose failed rotations are reported. */
  databaseAppCredentials: ISecret;
  sizes: Sizes;
  alarmEmail?: string;
}

/** The alarms a service's deployment watches: one going off during a deployment rolls the release back. */
export interface DeploymentAlarms {
  api: Alarm[];
  worker: Alarm[];
}

interface AlarmSpec {
  metric: IMetric;
  threshold: number;
  /** Out of the last `evaluationPeriods` periods of the metric (one minute unless it says so), how many must breach. */
  datapointsToAlarm: number;
  evaluationPeriods: number;
  description: string;
  treatMissingData?: TreatMissingData;
  comparisonOperator?: ComparisonOperator;
}

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);
/** One run of the canary per period. */
const CANARY_PERIOD = CANARY_INTERVAL;
const GIB = 1024 ** 3;

/** The mail backlog (jobs waiting or delayed) that, held for five minutes, means mail is not leaving. */
export const MAIL_BACKLOG_THRESHOLD = 20;
/** How long the oldest outbox row may wait to be queued: past it, the dispatcher (or Redis) is stuck. */
export const OUTBOX_AGE_THRESHOLD = Duration.minutes(5);
/** PostgreSQL memory (FreeableMemory) below which the instance starts to swap or kill connections. */
export const FREEABLE_MEMORY_THRESHOLD_BYTES = 256 * 1024 ** 2;
/**
 * Connections to one PostgreSQL node beyond what the api can open (and a few for the migration task, the password
 * rotation and RDS's own sessions) come from something else: a stuck migration, a session left open by hand.
 */
export const OTHER_DATABASE_CONNECTIONS = 10;

/**
 * Requests the WAF blocks in 5 minutes, two periods running, that mean something changed. A public address draws
 * scanners and known-bad addresses all the time, a few blocked requests a minute; this is one every 3 seconds for 10
 * minutes: a flood that a rate limit cuts (an address above RATE_LIMITS.all, 10 requests a second, has everything
 * beyond it blocked), a scan that keeps going, or a rule refusing real calls (at the light traffic docs/deploy.md
 * prices, about 350 requests in 5 minutes, a rule that refuses a third of them). Raise it if the dashboard shows a
 * higher baseline.
 */
export const WAF_BLOCKED_THRESHOLD = 100;
/** The EventBridge rule that reports a failed rotation of the api's database password to the topic. */
export const ROTATION_FAILED_RULE = 'modak-database-app-rotation-failed';

/**
 * The most connections the api can hold to one PostgreSQL node: each task holds its pool and its health probe's
 * connection to the primary and to the replica, and a deployment runs up to twice the tasks (new beside old).
 */
export const apiDatabaseConnections = (sizes: Sizes): number =>
  sizes.apiMaxTasks * (API_DEPLOYMENT_MAXIMUM_PERCENT / 100) * DATABASE_CONNECTIONS_PER_TASK;

/**
 * Free storage below 10% of the allocated storage: RDS storage autoscaling grows the primary then (up to
 * dbMaxAllocatedStorageGiB, and at most every six hours); the replica does not grow on its own.
 */
export const freeStorageThresholdBytes = (sizes: Sizes): number => (sizes.dbAllocatedStorageGiB * GIB) / 10;

/**
 * Alarms (to an SNS topic, and by email when configured) on what tells that users suffer, a failed rotation of the
 * api's database password reported to the same topic, and a dashboard.
 */
export class Monitoring extends Construct {
  /** Named `modak-<name>`, stable across deploys (the services' deployments name them). */
  readonly deploymentAlarms: DeploymentAlarms;
  private readonly topic: Topic;
  private readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { loadBalancer, targetGroup, api, worker, primary, replica, canary, sizes } = props;

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

    // The processes' own metrics (embedded-metric log lines, once a minute): queue-wide values that every worker task
    // reports alike and the outbox age of each api task, hence Maximum; heartbeats add up, hence Sum.
    const appMetric = (metricName: string, statistic: string, dimensionsMap?: Record<string, string>, label?: string) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap, statistic, period: MINUTE, label });
    const queues = Object.fromEntries(
      QUEUES.map((queue) => [
        queue,
        {
          backlog: appMetric('QueueBacklog', 'Maximum', { Queue: queue }, `${queue} backlog`),
          failed: appMetric('QueueFailedJobs', 'Maximum', { Queue: queue }, `${queue} failed`),
        },
      ]),
    ) as Record<(typeof QUEUES)[number], { backlog: Metric; failed: Metric }>;
    // The failed set only grows (failed jobs are kept until someone retries or removes them): its rise per minute.
    const newlyFailed = (queue: (typeof QUEUES)[number]) =>
      new MathExpression({
        expression: 'DIFF(failed)',
        usingMetrics: { failed: queues[queue].failed },
        period: MINUTE,
        label: `${queue} jobs failed for good (new per minute)`,
      });
    const heartbeat = appMetric('WorkerHeartbeat', 'Sum', undefined, 'worker heartbeats');
    const outboxAge = appMetric('OutboxOldestAgeSeconds', 'Maximum', undefined, 'oldest outbox row (s)');
    const scenario = canary.metricSuccessPercent({ period: CANARY_PERIOD, statistic: 'Average' });
    const waf = {
      blocked: props.webAcl.metric('BlockedRequests', { period: FIVE_MINUTES, label: 'blocked' }),
      counted: props.webAcl.metric('CountedRequests', { period: FIVE_MINUTES, label: 'counted (not blocked)' }),
      allowed: props.webAcl.metric('AllowedRequests', { period: FIVE_MINUTES, label: 'allowed' }),
    };

    const database = { primary, replica };
    const storage = (instance: IDatabaseInstance) =>
      instance.metricFreeStorageSpace({ period: MINUTE, statistic: 'Minimum' });
    const memory = (instance: IDatabaseInstance) =>
      instance.metricFreeableMemory({ period: MINUTE, statistic: 'Minimum' });
    const connections = (instance: IDatabaseInstance) =>
      instance.metricDatabaseConnections({ period: MINUTE, statistic: 'Maximum' });

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
    const target5xx = this.alarm('target-5xx', {
      ...count,
      metric: requests.target5xx,
      threshold: 5,
      datapointsToAlarm: 3,
      evaluationPeriods: 5,
      description: 'The api answers 5xx.',
    });
    const targetResponseTime = this.alarm('target-response-time', {
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

    // The queues and the outbox: mail that does not leave blocks every signup, silently.
    const mailBacklog = this.alarm('mail-backlog', {
      metric: queues.mail.backlog,
      threshold: MAIL_BACKLOG_THRESHOLD,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
      description: `More than ${MAIL_BACKLOG_THRESHOLD} mails have waited for 5 minutes: SMTP refuses them (see the worker's log) or the worker is not consuming; verification and reset codes arrive late.`,
    });
    for (const queue of QUEUES) {
      this.alarm(`${queue}-failed-jobs`, {
        ...count,
        metric: newlyFailed(queue),
        threshold: 1,
        datapointsToAlarm: 1,
        evaluationPeriods: 5,
        description:
          queue === 'mail'
            ? 'A mail failed for good in the last 5 minutes (its attempts, about six hours of them, are spent, or it cannot be opened): its recipient never gets it. The failed set keeps it for a retry.'
            : "A Kakao unlink failed for good in the last 5 minutes: a closed account is still linked at Kakao. Fix the cause (the admin key?) and retry the kakao queue's failed jobs.",
      });
    }
    this.alarm('outbox-age', {
      metric: outboxAge,
      threshold: OUTBOX_AGE_THRESHOLD.toSeconds(),
      datapointsToAlarm: 2,
      evaluationPeriods: 2,
      description: `An outbox row has waited more than ${OUTBOX_AGE_THRESHOLD.toMinutes()} minutes to be queued: the api cannot reach Redis, or its dispatcher is stuck; no mail (signup codes) or Kakao unlink leaves meanwhile.`,
    });
    const workerHeartbeat = this.alarm('worker-heartbeat', {
      metric: heartbeat,
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      datapointsToAlarm: 3,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.BREACHING,
      description:
        'No worker has reported consuming its queues for 3 minutes (no task running, or none reaching Redis): no mail or Kakao unlink is processed.',
    });

    // PostgreSQL: running out of disk or memory, or more connections than the api can open.
    for (const [node, instance] of Object.entries(database)) {
      const name = node === 'primary' ? 'database' : 'replica';
      this.alarm(`${name}-free-storage`, {
        metric: storage(instance),
        threshold: freeStorageThresholdBytes(sizes),
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        datapointsToAlarm: 5,
        evaluationPeriods: 5,
        description: `The PostgreSQL ${node} has less than ${sizes.dbAllocatedStorageGiB / 10} GiB free: a full disk stops writes${node === 'primary' ? '' : ' and replication'}.`,
      });
      this.alarm(`${name}-freeable-memory`, {
        metric: memory(instance),
        threshold: FREEABLE_MEMORY_THRESHOLD_BYTES,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        datapointsToAlarm: 5,
        evaluationPeriods: 5,
        description: `The PostgreSQL ${node} has less than 256 MiB of freeable memory: it swaps, and may end connections.`,
      });
      this.alarm(`${name}-connections`, {
        metric: connections(instance),
        threshold: apiDatabaseConnections(sizes) + OTHER_DATABASE_CONNECTIONS,
        datapointsToAlarm: 5,
        evaluationPeriods: 5,
        description: `The PostgreSQL ${node} holds more connections than the api can open (${apiDatabaseConnections(sizes)}: ${sizes.apiMaxTasks} tasks at most, twice that during a deployment, ${DATABASE_CONNECTIONS_PER_TASK} each) and ${OTHER_DATABASE_CONNECTIONS} more: something else holds them.`,
      });
    }

    // What a user does, end to end, from outside.
    this.alarm('scenario-canary', {
      metric: scenario,
      threshold: 100,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      datapointsToAlarm: 2,
      evaluationPeriods: 3,
      treatMissingData: TreatMissingData.BREACHING,
      description:
        'The smoke scenario failed in 2 of its last 3 runs against the public API (or did not run): read the failed runs in CloudWatch Synthetics (docs/deploy.md).',
    });

    // The edge: the WAF blocking far more than its background of scanners.
    this.alarm('waf-blocked-requests', {
      ...count,
      metric: waf.blocked,
      threshold: WAF_BLOCKED_THRESHOLD,
      datapointsToAlarm: 2,
      evaluationPeriods: 2,
      description: `The WAF blocked ${WAF_BLOCKED_THRESHOLD} or more requests in each of two 5-minute periods running: a flood cut by a rate limit, a scan, or a rule refusing real calls; which rule and which addresses are in the log group aws-waf-logs-modak (docs/deploy.md).`,
    });

    // Secrets Manager reports a failed rotation as an event, not a metric: CloudTrail's RotationFailed service event,
    // which names the secret by ARN in additionalEventData.SecretId. The target adds to the topic's policy and to its
    // key's policy what lets EventBridge (events.amazonaws.com) publish.
    const rotationFailed = new Rule(this, 'DatabaseAppRotationFailed', {
      ruleName: ROTATION_FAILED_RULE,
      description: "Secrets Manager failed to rotate the api's database password (modak/database-app)",
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: {
          eventSource: ['secretsmanager.amazonaws.com'],
          eventName: ['RotationFailed'],
          additionalEventData: { SecretId: [props.databaseAppCredentials.secretArn] },
        },
      },
    });
    rotationFailed.addTarget(
      new SnsTopic(this.topic, {
        message: RuleTargetInput.fromText(
          `${ROTATION_FAILED_RULE}: Secrets Manager could not rotate modak/database-app at ${EventField.time} (${EventField.fromPath('$.detail.errorMessage')}). AWSCURRENT is unchanged and the api keeps working; read /aws/lambda/modak-database-app-rotation and rotate again (docs/deploy.md, Database roles).`,
        ),
      }),
    );
    const rotationFailures = new Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: ROTATION_FAILED_RULE },
      statistic: 'Sum',
      period: Duration.hours(1),
      label: 'modak/database-app rotations failed',
    });

    // A release that sets one of these off while it rolls out is rolled back: answers that fail or slow down for the
    // api; for the worker, no heartbeat or mail that stops leaving.
    this.deploymentAlarms = { api: [target5xx, targetResponseTime], worker: [workerHeartbeat, mailBacklog] };

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
      graph('PostgreSQL connections', [connections(primary), connections(replica)]),
      graph('PostgreSQL free storage (bytes)', [storage(primary), storage(replica)]),
      graph('Redis CPU and memory (%)', [cpu.cache, cacheMemory]),
    );
    dashboard.addWidgets(
      graph('PostgreSQL freeable memory (bytes)', [memory(primary), memory(replica)]),
      graph('Scenario canary (% of runs passed)', [scenario]),
      graph('Worker heartbeats (per minute) and outbox age (s)', [heartbeat], [outboxAge]),
    );
    dashboard.addWidgets(
      graph(
        'Queues: backlog and failed jobs',
        QUEUES.map((queue) => queues[queue].backlog),
        QUEUES.map((queue) => queues[queue].failed),
      ),
      graph('WAF requests (per 5 minutes)', [waf.allowed], [waf.blocked, waf.counted]),
      graph('Database password rotations failed (per hour)', [rotationFailures]),
    );
  }

  /** An alarm named `modak-<name>` that notifies the topic when it fires and when it clears. */
  private alarm(name: string, spec: AlarmSpec): Alarm {
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
    return alarm;
  }
}
