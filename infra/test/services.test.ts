import { Match } from 'aws-cdk-lib/assertions';
import { NODE_OPTIONS, SHUTDOWN_DRAIN, STOP_TIMEOUT } from '../lib/runtime';
import { composedUrls, REQUIRED_IN_PRODUCTION } from './support/app-contract';
import { containerOf, environmentOf, resourcesOf, secretNamesOf, synthesize, type Container } from './support/modak';

const modak = synthesize({ adminEmails: 'ops@modak.example.com' });
const { services: template } = modak.templates;
const serviceNamed = (name: string) =>
  Object.values(resourcesOf(template, 'AWS::ECS::Service')).find((service) => service.Properties!.ServiceName === name)!
    .Properties!;
const api = containerOf(template, 'modak-api');
const worker = containerOf(template, 'modak-worker');
const migrate = containerOf(modak.templates.platform, 'modak-migrate');

describe('rolling deploys without downtime', () => {
  test.each(['modak-api', 'modak-worker'])(
    '%s: min 100%% / max 200%%, circuit breaker with rollback, private subnets',
    (name) => {
      expect(serviceNamed(name)).toMatchObject({
        LaunchType: 'FARGATE',
        DeploymentConfiguration: {
          MinimumHealthyPercent: 100,
          MaximumPercent: 200,
          DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        },
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED' } },
      });
      expect(JSON.stringify(serviceNamed(name).NetworkConfiguration)).toMatch(/appSubnet1.*appSubnet2/);
    },
  );

  test('the api is registered with the target group on its port, with a grace period', () => {
    expect(serviceNamed('modak-api')).toMatchObject({
      LoadBalancers: [
        {
          ContainerName: 'api',
          ContainerPort: 3000,
          TargetGroupArn: { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'Modak-Edge' }) },
        },
      ],
      HealthCheckGracePeriodSeconds: 60,
    });
    expect(api.PortMappings).toEqual([expect.objectContaining({ ContainerPort: 3000, Protocol: 'tcp' })]);
  });

  test('autoscaling owns the api task count; the worker runs a fixed count', () => {
    expect(serviceNamed('modak-api').DesiredCount).toBeUndefined();
    expect(serviceNamed('modak-worker').DesiredCount).toBe(1);
  });

  test('the api drains before it is stopped: drain time in its environment, stop timeout above it', () => {
    expect(environmentOf(api).SHUTDOWN_DRAIN_MS).toBe(String(SHUTDOWN_DRAIN.toMilliseconds()));
    for (const container of [api, worker, migrate]) expect(container.StopTimeout).toBe(STOP_TIMEOUT.toSeconds());
    expect(STOP_TIMEOUT.toSeconds()).toBeGreaterThan(SHUTDOWN_DRAIN.toSeconds());
  });
});

describe('autoscaling of the api', () => {
  test('between the configured minimum and maximum', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 6,
      ScalableDimension: 'ecs:service:DesiredCount',
      ServiceNamespace: 'ecs',
    });
  });

  test('on CPU and on requests per target', () => {
    const policies = Object.values(resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map(
      (policy) => policy.Properties!.TargetTrackingScalingPolicyConfiguration as Record<string, any>,
    );
    expect(
      policies.map((policy) => [policy.PredefinedMetricSpecification.PredefinedMetricType, policy.TargetValue]).sort(),
    ).toEqual([
      ['ALBRequestCountPerTarget', 1000],
      ['ECSServiceAverageCPUUtilization', 60],
    ]);
    const requests = policies.find(
      (policy) => policy.PredefinedMetricSpecification.PredefinedMetricType === 'ALBRequestCountPerTarget',
    )!;
    expect(JSON.stringify(requests.PredefinedMetricSpecification.ResourceLabel)).toContain('Modak-Edge');
  });
});

describe('containers', () => {
  test.each([
    ['api', api, ['api']],
    ['worker', worker, ['worker']],
    ['migrate', migrate, ['migrate', 'run']],
  ] as [string, Container, string[]][])(
    '%s: the image, its command, a read-only root file system, logs to CloudWatch',
    (process, container, command) => {
      expect(container.Command).toEqual(command);
      expect(container.ReadonlyRootFilesystem).toBe(true);
      expect(JSON.stringify(container.Image)).toMatch(/Repository.*:set-by-deploy/);
      expect(container.LogConfiguration).toMatchObject({
        LogDriver: 'awslogs',
        Options: { 'awslogs-stream-prefix': process, mode: 'non-blocking' },
      });
    },
  );

  test('the api and the worker check their own liveness; the load balancer checks the api readiness', () => {
    const timing = { Interval: 15, Timeout: 5, Retries: 3, StartPeriod: 30 };
    expect(api.HealthCheck).toEqual({ Command: ['CMD', 'node', '/app/healthcheck.mjs'], ...timing });
    // The same script, asked about the worker: its loopback port answers 503 once a queue is no longer consumed.
    expect(worker.HealthCheck).toEqual({ Command: ['CMD', 'node', '/app/healthcheck.mjs', 'worker'], ...timing });
    expect(migrate.HealthCheck).toBeUndefined();
  });
});

describe('secrets come from Secrets Manager, never as plain environment values', () => {
  const arnOf = (container: Container, name: string) =>
    JSON.stringify(container.Secrets!.find((secret) => secret.Name === name)!.ValueFrom);

  test('each process gets exactly the secrets its configuration reads', () => {
    expect(secretNamesOf(api)).toEqual(['DB_PASSWORD', 'DB_USER', 'JWT_SECRET', 'MAIL_SEAL_KEY', 'REDIS_AUTH_TOKEN']);
    expect(secretNamesOf(worker)).toEqual(['MAIL_SEAL_KEY', 'REDIS_AUTH_TOKEN', 'SMTP_URL']);
    // One key: what the api seals, the worker opens.
    expect(arnOf(api, 'MAIL_SEAL_KEY')).toEqual(arnOf(worker, 'MAIL_SEAL_KEY'));
    expect(arnOf(api, 'MAIL_SEAL_KEY')).toContain('SecretsMailSeal');
    expect(arnOf(api, 'JWT_SECRET')).toContain('SecretsJwt');
    expect(arnOf(worker, 'SMTP_URL')).toContain('SecretsSmtpUrl');
    expect(arnOf(api, 'REDIS_AUTH_TOKEN')).toContain('RedisAuthToken');
  });

  test('no environment variable carries a credential', () => {
    let checked = 0;
    for (const container of [api, worker, migrate]) {
      for (const [name, value] of Object.entries(environmentOf(container))) {
        // A secret's id names where the process reads a credential, not the credential: a reference, never a literal.
        if (name.endsWith('_SECRET_ID')) expect(typeof value).not.toBe('string');
        else expect(name).not.toMatch(/SECRET|PASSWORD|TOKEN|CREDENTIAL|_KEY$/);
        expect(JSON.stringify(value)).not.toMatch(/\/\/[^/@"]+:[^/@"]+@/);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('the execution roles may read only the secrets they inject', () => {
    for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] })
        .Statement) {
        if (JSON.stringify(statement.Action).includes('secretsmanager')) expect(statement.Resource).not.toBe('*');
      }
    }
  });

  test('with Kakao configured, the api gets its settings, client secret and admin key, and the worker the key', () => {
    const kakao = synthesize({
      kakaoClientId: 'rest-api-key',
      kakaoRedirectUri: 'https://api.modak.example.com/api/v1/auth/kakao/callback',
      kakaoAppId: '123456',
    });
    const container = containerOf(kakao.templates.services, 'modak-api');
    expect(environmentOf(container)).toMatchObject({ KAKAO_CLIENT_ID: 'rest-api-key', KAKAO_APP_ID: '123456' });
    expect(secretNamesOf(container)).toEqual(expect.arrayContaining(['KAKAO_CLIENT_SECRET', 'KAKAO_ADMIN_KEY']));
    expect(secretNamesOf(containerOf(kakao.templates.services, 'modak-worker'))).toContain('KAKAO_ADMIN_KEY');
  });
});

describe('least-privilege database logins', () => {
  const arnOf = (container: Container, name: string) =>
    JSON.stringify(container.Secrets!.find((secret) => secret.Name === name)!.ValueFrom);
  const appSecret = /PostgresAppCredentialsAttachment/;
  const masterSecret = /PostgresCredentialsAttachment/;

  test('the api logs in as the app role, never as the master user', () => {
    expect(arnOf(api, 'DB_USER')).toMatch(/PostgresAppCredentialsAttachment.*:username::/);
    expect(arnOf(api, 'DB_PASSWORD')).toMatch(/PostgresAppCredentialsAttachment.*:password::/);
    expect(JSON.stringify(api)).not.toMatch(masterSecret);
  });

  test("the api's pool reads the rotating password from the app secret, named by its ARN", () => {
    const secretId = JSON.stringify(environmentOf(api).DATABASE_PASSWORD_SECRET_ID);
    expect(secretId).toMatch(appSecret);
    expect(secretId).toContain('"StackName":"Modak-Data"');
  });

  test("the api's task role may read that one secret, and nothing else", () => {
    const apiTaskRole = Object.entries(resourcesOf(template, 'AWS::IAM::Role')).find(([id]) =>
      id.startsWith('ApiTaskTaskDefinitionTaskRole'),
    )![0];
    const apiDefinition = Object.values(resourcesOf(template, 'AWS::ECS::TaskDefinition')).find(
      (definition) => definition.Properties!.Family === 'modak-api',
    )!;
    // The task role (what the app's own AWS calls use), not the execution role (what ECS uses to start the task).
    expect(apiDefinition.Properties!.TaskRoleArn).toEqual({ 'Fn::GetAtt': [apiTaskRole, 'Arn'] });
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties!.Roles).includes(apiTaskRole))
      .flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: expect.anything(),
      },
    ]);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(appSecret);
    // The secret is encrypted with the account's Secrets Manager key: no key policy or kms:Decrypt to grant.
    expect(JSON.stringify(statements)).not.toContain('kms:');
  });

  test('the worker has no database: no DB_* part, no database secret, no task role grant', () => {
    expect(Object.keys(environmentOf(worker)).filter((name) => /^(DB_|DATABASE_)/.test(name))).toEqual([]);
    expect(secretNamesOf(worker).filter((name) => /^(DB_|DATABASE_)/.test(name))).toEqual([]);
    expect(JSON.stringify(worker)).not.toMatch(/Postgres/);
    const workerTaskRole = Object.keys(resourcesOf(template, 'AWS::IAM::Role')).find((id) =>
      id.startsWith('WorkerTaskTaskDefinitionTaskRole'),
    )!;
    for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy')))
      expect(JSON.stringify(policy.Properties!.Roles)).not.toContain(workerTaskRole);
  });

  test('the migration logs in as the master user and sets up the app role from its secret', () => {
    expect(arnOf(migrate, 'DB_USER')).toMatch(/PostgresCredentialsAttachment.*:username::/);
    expect(arnOf(migrate, 'DB_PASSWORD')).toMatch(/PostgresCredentialsAttachment.*:password::/);
    expect(environmentOf(migrate).DATABASE_APP_USER).toBe('modak_app');
    expect(arnOf(migrate, 'DATABASE_APP_PASSWORD')).toMatch(/PostgresAppCredentialsAttachment.*:password::/);
  });
});

describe('every variable the configuration requires in production is there once the entrypoint has run', () => {
  /** The environment a task would see: tokens and secrets replaced by sample values. */
  const taskEnvironment = (container: Container): Record<string, string> => ({
    ...Object.fromEntries(
      Object.entries(environmentOf(container)).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : `${name.toLowerCase()}.example`,
      ]),
    ),
    ...Object.fromEntries(secretNamesOf(container).map((name) => [name, `${name.toLowerCase()}/with:reserved@chars`])),
    DB_PORT: '5432',
    REDIS_PORT: '6379',
  });

  test.each([
    ['api', api],
    ['worker', worker],
    ['migrate', migrate],
  ] as ['api' | 'worker' | 'migrate', Container][])('%s', (process, container) => {
    const environment = taskEnvironment(container);
    const complete = { ...environment, ...composedUrls(environment) };
    expect(REQUIRED_IN_PRODUCTION[process].filter((name) => !complete[name])).toEqual([]);
    expect(complete.NODE_ENV).toBe('production');
    // The heap bounds of the image, in the definition too.
    expect(complete.NODE_OPTIONS).toBe(NODE_OPTIONS);
    if (process === 'worker') {
      expect(Object.keys(complete).filter((name) => name.startsWith('DATABASE_'))).toEqual([]);
    } else {
      expect(complete.DATABASE_URL).toBe(
        'postgres://db_user%2Fwith%3Areserved%40chars:db_password%2Fwith%3Areserved%40chars@db_host.example:5432/modak?sslmode=verify-full',
      );
    }
    if (process === 'api') {
      expect(complete.DATABASE_REPLICA_URLS).toMatch(
        /^postgres:\/\/.*@db_replica_hosts\.example:5432\/modak\?sslmode=verify-full$/,
      );
    }
    if (process !== 'migrate') {
      expect(complete.REDIS_URL).toBe('rediss://:redis_auth_token%2Fwith%3Areserved%40chars@redis_host.example:6379');
    }
  });

  test('the api runs in production with the SPA origins and admins from the context', () => {
    expect(environmentOf(api)).toMatchObject({
      NODE_ENV: 'production',
      PORT: '3000',
      TRUST_PROXY: 'true',
      FRONTEND_URL: 'https://modak.example.com',
      CORS_ORIGINS: 'https://modak.example.com',
      ADMIN_EMAILS: 'ops@modak.example.com',
    });
    expect(environmentOf(worker)).toMatchObject({ MAIL_FROM: 'Modak <no-reply@modak.example.com>' });
  });
});

describe('alarms and a dashboard', () => {
  const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties!);
  const metricsOf = (alarm: Record<string, any>): string[] =>
    alarm.MetricName
      ? [alarm.MetricName]
      : (alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[]).flatMap((m) =>
          m.MetricStat ? [m.MetricStat.Metric.MetricName] : [],
        );
  const alarmNamed = (name: string) => alarms.find((alarm) => alarm.AlarmName === `modak-${name}`)!;

  test.each([
    ['load-balancer-5xx', 'HTTPCode_ELB_5XX_Count', 'AWS/ApplicationELB'],
    ['target-5xx', 'HTTPCode_Target_5XX_Count', 'AWS/ApplicationELB'],
    ['target-response-time', 'TargetResponseTime', 'AWS/ApplicationELB'],
    ['unhealthy-hosts', 'UnHealthyHostCount', 'AWS/ApplicationELB'],
    ['replica-lag', 'ReplicaLag', 'AWS/RDS'],
    ['api-cpu', 'CPUUtilization', 'AWS/ECS'],
    ['worker-cpu', 'CPUUtilization', 'AWS/ECS'],
    ['database-cpu', 'CPUUtilization', 'AWS/RDS'],
    ['cache-cpu', 'EngineCPUUtilization', 'AWS/ElastiCache'],
    ['cache-memory', 'DatabaseMemoryUsagePercentage', 'AWS/ElastiCache'],
  ])('modak-%s on %s', (name, metric, namespace) => {
    const alarm = alarmNamed(name);
    expect(alarm).toBeDefined();
    expect(metricsOf(alarm)).toContain(metric);
    expect(JSON.stringify(alarm)).toContain(namespace);
    expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringTopic/) }]);
    expect(alarm.OKActions).toEqual(alarm.AlarmActions);
  });

  test('the replica-lag alarm watches the replica, and a silent replica counts as lagging', () => {
    expect(JSON.stringify(alarmNamed('replica-lag').Dimensions)).toContain('PostgresReplica');
    expect(alarmNamed('replica-lag').TreatMissingData).toBe('breaching');
  });

  test('the alarms publish to an encrypted topic that only accepts TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'modak-alarms', KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        // CloudWatch (alarms) and EventBridge (the failed rotation) publish to it, in one statement.
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: Match.arrayWith(['cloudwatch.amazonaws.com']) } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('a dashboard shows every alarm and the metrics behind them', () => {
    const body = JSON.stringify(
      template.toJSON().Resources[Object.keys(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]!].Properties
        .DashboardBody,
    );
    for (const alarm of Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm'))) expect(body).toContain(alarm);
    for (const metric of [
      'RequestCount',
      'TargetResponseTime',
      'HealthyHostCount',
      'MemoryUtilization',
      'ReplicaLag',
      'DatabaseConnections',
      'FreeStorageSpace',
    ]) {
      expect(body).toContain(metric);
    }
  });
});

test('after a replica is promoted, databasePrimaryHost points every process with a database at it', () => {
  const promoted = 'modak-replica.c0abcdefghij.ap-northeast-2.rds.amazonaws.com';
  const { templates } = synthesize({ databasePrimaryHost: promoted });
  for (const [template, family] of [
    [templates.services, 'modak-api'],
    [templates.platform, 'modak-migrate'],
  ] as const) {
    expect(environmentOf(containerOf(template, family)).DB_HOST).toBe(promoted);
  }
});
