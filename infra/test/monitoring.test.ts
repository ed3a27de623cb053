import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  apiDatabaseConnections,
  OTHER_DATABASE_CONNECTIONS,
  ROTATION_FAILED_RULE,
  WAF_BLOCKED_THRESHOLD,
} from '../lib/constructs/monitoring';
import { DEFAULT_SIZES } from '../lib/config';
import { DATABASE_POOL_SIZE, METRICS_NAMESPACE, QUEUES } from '../lib/runtime';
import { REPOSITORY } from './support/app-contract';
import { environmentOf, containerOf, onlyResource, resourcesOf, synthesize } from './support/modak';

const modak = synthesize();
const { services: template } = modak.templates;
type Properties = Record<string, any>;
const resources = (type: string) => Object.entries(resourcesOf(template, type));
const alarms: Properties[] = resources('AWS::CloudWatch::Alarm').map(([id, alarm]) => ({
  id,
  ...(alarm.Properties as Properties),
}));
const alarmNamed = (name: string, among: Properties[] = alarms): Properties => {
  const found = among.find((alarm) => alarm.AlarmName === `modak-${name}`);
  if (!found) throw new Error(`no alarm modak-${name}`);
  return found;
};
/** The metrics an alarm reads: its own, or those of its expression. */
const metricsOf = (alarm: Properties): { MetricName: string; Namespace: string; Dimensions?: Properties[] }[] =>
  alarm.MetricName
    ? [alarm as never]
    : (alarm.Metrics as { MetricStat?: { Metric: never } }[]).flatMap((m) =>
        m.MetricStat ? [m.MetricStat.Metric] : [],
      );
/** The statistic and period of an alarm on one metric, whichever form the template gives it. */
const statOf = (alarm: Properties): { Stat: string; Period: number } => {
  if (alarm.MetricName) return { Stat: alarm.ExtendedStatistic ?? alarm.Statistic, Period: alarm.Period };
  const [{ MetricStat }] = alarm.Metrics as [{ MetricStat: { Stat: string; Period: number } }];
  return { Stat: MetricStat.Stat, Period: MetricStat.Period };
};
const source = (file: string) => readFileSync(path.join(REPOSITORY, file), 'utf8');

describe("the app's embedded metrics, as the app writes them", () => {
  test('namespace, queue names and metric names are those of the app', () => {
    expect(source('libs/core/src/logging/embedded.metrics.ts')).toContain(
      `export const METRICS_NAMESPACE = '${METRICS_NAMESPACE}';`,
    );
    const contract = source('libs/queue/src/queue.contract.ts');
    const queueNames = [.../export enum QueueName \{([^}]*)\}/.exec(contract)![1]!.matchAll(/= '([^']+)'/g)].map(
      (match) => match[1],
    );
    expect(queueNames.sort()).toEqual([...QUEUES].sort());
    const worker = source('apps/worker/src/health/queue-metrics.service.ts');
    for (const name of ['WorkerHeartbeat', 'QueueBacklog', 'QueueFailedJobs']) expect(worker).toContain(`'${name}'`);
    expect(worker).toContain('{ Queue: queue.name }');
    expect(source('apps/api/src/outbox/outbox.dispatcher.ts')).toContain("'OutboxOldestAgeSeconds'");
  });

  test("the pool size the connection alarms count on is the app's default, which the api task leaves alone", () => {
    expect(source('libs/database/src/database.config.ts')).toContain(
      `DATABASE_POOL_SIZE: intVar(${DATABASE_POOL_SIZE},`,
    );
    expect(environmentOf(containerOf(template, 'modak-api')).DATABASE_POOL_SIZE).toBeUndefined();
  });
});

describe('alarms on the queues, the outbox and the worker', () => {
  test.each([
    ['mail-backlog', 'QueueBacklog', { Queue: 'mail' }],
    ['mail-failed-jobs', 'QueueFailedJobs', { Queue: 'mail' }],
    ['kakao-failed-jobs', 'QueueFailedJobs', { Queue: 'kakao' }],
    ['outbox-age', 'OutboxOldestAgeSeconds', undefined],
    ['worker-heartbeat', 'WorkerHeartbeat', undefined],
  ])('modak-%s reads %s %j in the Modak namespace and notifies the topic', (name, metric, dimensions) => {
    const alarm = alarmNamed(name);
    const [read] = metricsOf(alarm);
    expect(metricsOf(alarm)).toHaveLength(1);
    expect(read).toMatchObject({ Namespace: 'Modak', MetricName: metric });
    expect(read!.Dimensions).toEqual(
      dimensions && Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    );
    expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
    expect(alarm.OKActions).toEqual(alarm.AlarmActions);
  });

  test('the mail backlog alarms when it stays above 20 for five minutes', () => {
    expect(statOf(alarmNamed('mail-backlog'))).toEqual({ Stat: 'Maximum', Period: 60 });
    expect(alarmNamed('mail-backlog')).toMatchObject({
      Threshold: 20,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 5,
    });
  });

  test.each(QUEUES)('a %s job that fails for good alarms: the rise of the failed set, within five minutes', (queue) => {
    const alarm = alarmNamed(`${queue}-failed-jobs`);
    expect(alarm.Metrics).toEqual([
      expect.objectContaining({ Expression: 'DIFF(failed)', ReturnData: true }),
      expect.objectContaining({
        Id: 'failed',
        ReturnData: false,
        MetricStat: expect.objectContaining({ Stat: 'Maximum', Period: 60 }),
      }),
    ]);
    expect(alarm).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 5,
      DatapointsToAlarm: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('an outbox row waiting more than five minutes alarms', () => {
    expect(statOf(alarmNamed('outbox-age'))).toEqual({ Stat: 'Maximum', Period: 60 });
    expect(alarmNamed('outbox-age')).toMatchObject({
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
    });
  });

  test('a missing worker heartbeat alarms: no heartbeat for three minutes, silence counting as missing', () => {
    expect(statOf(alarmNamed('worker-heartbeat'))).toEqual({ Stat: 'Sum', Period: 60 });
    expect(alarmNamed('worker-heartbeat')).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
    });
  });
});

describe('alarms on PostgreSQL, primary and replica', () => {
  const instanceOf = (alarm: Properties) => JSON.stringify(alarm.Dimensions);

  test.each([
    ['database', 'PostgresPrimary'],
    ['replica', 'PostgresReplica'],
  ])('%s: free storage, freeable memory and connections', (prefix, instance) => {
    const storage = alarmNamed(`${prefix}-free-storage`);
    const memory = alarmNamed(`${prefix}-freeable-memory`);
    const connections = alarmNamed(`${prefix}-connections`);
    for (const [alarm, metric] of [
      [storage, 'FreeStorageSpace'],
      [memory, 'FreeableMemory'],
      [connections, 'DatabaseConnections'],
    ] as const) {
      expect(alarm).toMatchObject({
        Namespace: 'AWS/RDS',
        MetricName: metric,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 5,
      });
      expect(instanceOf(alarm)).toContain(instance);
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
    }
    // 10% of the 50 GiB allocated; 256 MiB.
    expect(storage).toMatchObject({ Threshold: 5 * 1024 ** 3, ComparisonOperator: 'LessThanThreshold' });
    expect(memory).toMatchObject({ Threshold: 256 * 1024 ** 2, ComparisonOperator: 'LessThanThreshold' });
    // 6 api tasks at most, twice that while a deployment runs, each with a pool of 10 and a probe connection; and 10.
    expect(connections).toMatchObject({ Threshold: 6 * 2 * 11 + 10, ComparisonOperator: 'GreaterThanThreshold' });
  });

  test('the thresholds follow the sizes: the connections the api can open, the storage allocated', () => {
    const bigger = synthesize({ apiMaxTasks: 10, dbAllocatedStorageGiB: 100 });
    const biggerAlarms = Object.values(resourcesOf(bigger.templates.services, 'AWS::CloudWatch::Alarm')).map(
      (alarm) => alarm.Properties as Properties,
    );
    expect(alarmNamed('replica-connections', biggerAlarms).Threshold).toBe(10 * 2 * (DATABASE_POOL_SIZE + 1) + 10);
    expect(alarmNamed('database-connections', biggerAlarms).Threshold).toBe(
      apiDatabaseConnections({ ...DEFAULT_SIZES, apiMaxTasks: 10 }) + OTHER_DATABASE_CONNECTIONS,
    );
    expect(alarmNamed('database-free-storage', biggerAlarms).Threshold).toBe(10 * 1024 ** 3);
  });
});

describe('a release that sets off an alarm while it rolls out is rolled back', () => {
  const services: Record<string, Properties> = Object.fromEntries(
    resources('AWS::ECS::Service').map(([id, service]) => [
      (service.Properties as Properties).ServiceName as string,
      { id, ...(service as Properties) },
    ]),
  );

  test.each([
    ['modak-api', ['modak-target-5xx', 'modak-target-response-time']],
    ['modak-worker', ['modak-worker-heartbeat', 'modak-mail-backlog']],
  ])('%s: deployment alarms %j, with rollback, beside the circuit breaker', (name, alarmNames) => {
    const service = services[name]!;
    expect(service.Properties.DeploymentConfiguration).toMatchObject({
      Alarms: { AlarmNames: alarmNames, Enable: true, Rollback: true },
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
    });
    // Named as written (stable), each an alarm of the stack, created before the service that names it ...
    for (const alarmName of alarmNames) {
      const alarm = alarms.find((candidate) => candidate.AlarmName === alarmName)!;
      expect(alarm).toBeDefined();
      expect(service.DependsOn).toContain(alarm.id);
      // ... and watching the target group or the processes' metrics, never the service: no cycle.
      expect(JSON.stringify(alarm)).not.toContain(service.id);
    }
  });

  test("the api's deployment alarms watch the target group's 5xx and p95 response time", () => {
    const [errors] = metricsOf(alarmNamed('target-5xx'));
    const [latency] = metricsOf(alarmNamed('target-response-time'));
    expect(errors).toMatchObject({ Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count' });
    expect(latency).toMatchObject({ Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime' });
    expect(statOf(alarmNamed('target-response-time'))).toEqual({ Stat: 'p95', Period: 60 });
    for (const metric of [errors, latency]) expect(JSON.stringify(metric!.Dimensions)).toContain('Modak-Edge');
  });
});

describe("the WAF and the rotation of the api's database password", () => {
  test("modak-waf-blocked-requests: the web ACL's blocked requests, every rule together, 100 in each of two 5-minute periods", () => {
    const acl = onlyResource(modak.templates.edge, 'AWS::WAFv2::WebACL');
    const alarm = alarmNamed('waf-blocked-requests');
    const [read] = metricsOf(alarm);
    expect(metricsOf(alarm)).toHaveLength(1);
    expect(read).toMatchObject({ Namespace: 'AWS/WAFV2', MetricName: 'BlockedRequests' });
    // WAF publishes the ACL's metrics under its metric name, which differs from its name.
    expect(Object.fromEntries(read!.Dimensions!.map(({ Name, Value }) => [Name, Value]))).toEqual({
      WebACL: acl.properties.VisibilityConfig.MetricName,
      Region: 'ap-northeast-2',
      Rule: 'ALL',
    });
    expect(acl.properties.VisibilityConfig).toMatchObject({ CloudWatchMetricsEnabled: true });
    expect(statOf(alarm)).toEqual({ Stat: 'Sum', Period: 300 });
    expect(alarm).toMatchObject({
      Threshold: WAF_BLOCKED_THRESHOLD,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    expect(WAF_BLOCKED_THRESHOLD).toBe(100);
    expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
    expect(alarm.OKActions).toEqual(alarm.AlarmActions);
    // Plain values: the app stack names the edge stack's ACL without a reference to it.
    expect(JSON.stringify(alarm)).not.toMatch(/Fn::GetStackOutput|Fn::ImportValue/);
  });

  // The one rule of the stack (onlyResource throws on none or more).
  const rule = onlyResource(template, 'AWS::Events::Rule');
  const topic = onlyResource(template, 'AWS::SNS::Topic');

  test('a RotationFailed event of modak/database-app, and only of that secret, is published to the alarm topic', () => {
    const { Name, EventPattern, Targets } = rule.properties;
    expect(Name).toBe(ROTATION_FAILED_RULE);
    expect(EventPattern).toMatchObject({
      source: ['aws.secretsmanager'],
      'detail-type': ['AWS Service Event via CloudTrail'],
      detail: { eventSource: ['secretsmanager.amazonaws.com'], eventName: ['RotationFailed'] },
    });
    // The event names the secret by ARN: the data stack's attachment of modak/database-app, whose Ref is that ARN.
    const [secretId] = EventPattern.detail.additionalEventData.SecretId as [Properties];
    expect(EventPattern.detail.additionalEventData.SecretId).toHaveLength(1);
    const { StackName, OutputName } = secretId['Fn::GetStackOutput'];
    expect(StackName).toBe('Modak-Data');
    const data = modak.templates.data.toJSON() as { Outputs: Properties; Resources: Properties };
    const attachment = data.Resources[data.Outputs[OutputName].Value.Ref];
    expect(attachment.Type).toBe('AWS::SecretsManager::SecretTargetAttachment');
    expect(data.Resources[attachment.Properties.SecretId.Ref].Properties.Name).toBe('modak/database-app');

    expect(Targets).toEqual([
      expect.objectContaining({
        Arn: { Ref: topic.id },
        InputTransformer: expect.objectContaining({
          InputPathsMap: expect.objectContaining({ 'detail-errorMessage': '$.detail.errorMessage' }),
          InputTemplate: expect.stringContaining('modak/database-app'),
        }),
      }),
    ]);
    expect(rule.id).toMatch(/^Monitoring/);
  });

  test("EventBridge may publish to the topic and use the topic's key", () => {
    const policy = onlyResource(template, 'AWS::SNS::TopicPolicy').properties;
    expect(policy.Topics).toEqual([{ Ref: topic.id }]);
    expect(policy.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Action: 'sns:Publish',
        Principal: { Service: 'events.amazonaws.com' },
        Resource: { Ref: topic.id },
      }),
    );
    const [keyId] = topic.properties.KmsMasterKeyId['Fn::GetAtt'] as [string];
    const key = resourcesOf(template, 'AWS::KMS::Key')[keyId]!.Properties as Properties;
    const allowed = (key.KeyPolicy.Statement as Properties[]).filter(
      (statement) =>
        statement.Effect === 'Allow' && [statement.Principal.Service ?? []].flat().includes('events.amazonaws.com'),
    );
    expect(allowed.flatMap((statement) => statement.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
  });
});

test('the dashboard graphs the new metrics', () => {
  const [dashboard] = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
  const body = JSON.stringify(dashboard!.Properties!.DashboardBody);
  for (const metric of [
    'QueueBacklog',
    'QueueFailedJobs',
    'WorkerHeartbeat',
    'OutboxOldestAgeSeconds',
    'SuccessPercent',
    'FreeableMemory',
    'FreeStorageSpace',
    'DatabaseConnections',
    'BlockedRequests',
    'TriggeredRules',
  ]) {
    expect(body).toContain(metric);
  }
  for (const { id } of alarms) expect(body).toContain(id);
});
