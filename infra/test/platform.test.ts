import { APP_DATABASE_USER } from '../lib/constructs/postgres';
import { containerOf, environmentOf, onlyResource, resourcesOf, secretNamesOf, synthesize } from './support/modak';

const modak = synthesize();
const { platform: template } = modak.templates;
const secretsByName = () =>
  Object.fromEntries(
    Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret')).map(([id, secret]) => [
      secret.Properties!.Name,
      { id, ...secret.Properties },
    ]),
  );

test('an ECR repository with immutable tags, scanned on push, kept when the stack goes', () => {
  template.hasResource('AWS::ECR::Repository', {
    Properties: {
      RepositoryName: 'modak',
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
    },
    DeletionPolicy: 'Retain',
  });
});

test('an ECS cluster with Container Insights', () => {
  template.hasResourceProperties('AWS::ECS::Cluster', {
    ClusterName: 'modak',
    ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
  });
});

test('the application secrets live in Secrets Manager; the JWT and mail seal keys are generated', () => {
  const secrets = secretsByName();
  expect(Object.keys(secrets).sort()).toEqual(['modak/jwt-secret', 'modak/mail-seal-key', 'modak/smtp-url']);
  for (const name of ['modak/jwt-secret', 'modak/mail-seal-key']) {
    expect(secrets[name]).toMatchObject({
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  }
  for (const secret of Object.values(secrets)) expect(secret).not.toHaveProperty('SecretString');
});

test('log groups per process with the configured retention', () => {
  for (const process of ['api', 'worker', 'migrate']) {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: `/modak/${process}`, RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
  }
});

describe('the migration task definition', () => {
  const container = containerOf(template, 'modak-migrate');

  test('runs `migrate run` from the image tag being deployed', () => {
    expect(container.Command).toEqual(['migrate', 'run']);
    expect(JSON.stringify(container.Image)).toContain(':set-by-deploy');
    expect(container.ReadonlyRootFilesystem).toBe(true);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'modak-migrate',
      RequiresCompatibilities: ['FARGATE'],
      NetworkMode: 'awsvpc',
      Cpu: '256',
      Memory: '512',
    });
  });

  test('gets the primary only, as the master user, with the credentials from Secrets Manager', () => {
    expect(Object.keys(environmentOf(container)).sort()).toEqual([
      'DATABASE_APP_USER',
      'DB_HOST',
      'DB_NAME',
      'DB_PORT',
      'LOG_LEVEL',
      'NODE_ENV',
      'NODE_OPTIONS',
    ]);
    expect(secretNamesOf(container)).toEqual(['DATABASE_APP_PASSWORD', 'DB_PASSWORD', 'DB_USER']);
    const valueFrom = (name: string) =>
      JSON.stringify(container.Secrets!.find((secret) => secret.Name === name)!.ValueFrom);
    expect(valueFrom('DB_USER')).toMatch(/PostgresCredentialsAttachment.*:username::/);
    expect(valueFrom('DB_PASSWORD')).toMatch(/PostgresCredentialsAttachment.*:password::/);
  });

  test("creates or updates the api's role: its name, and its password from the app secret", () => {
    expect(environmentOf(container).DATABASE_APP_USER).toBe(APP_DATABASE_USER);
    expect(
      JSON.stringify(container.Secrets!.find((secret) => secret.Name === 'DATABASE_APP_PASSWORD')!.ValueFrom),
    ).toMatch(/PostgresAppCredentialsAttachment.*:password::/);
    // ECS injects the secrets; the migration makes no AWS call of its own.
    const taskRole = Object.keys(resourcesOf(template, 'AWS::IAM::Role')).find((id) =>
      id.startsWith('MigrationTaskDefinitionTaskRole'),
    )!;
    expect(taskRole).toBeDefined();
    for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy')))
      expect(JSON.stringify(policy.Properties!.Roles)).not.toContain(taskRole);
  });

  test('logs to its log group', () => {
    expect(container.LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': { Ref: expect.stringMatching(/^migrateLogs/) }, 'awslogs-stream-prefix': 'migrate' },
    });
  });

  test('is exported with the cluster, subnets and security group the deploy runs it with', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(
      Object.keys(outputs)
        .filter((key) => !key.startsWith('Publish'))
        .sort(),
    ).toEqual([
      'ClusterName',
      'MigrationSecurityGroup',
      'MigrationSubnets',
      'MigrationTaskDefinition',
      'RepositoryUri',
    ]);
    expect(outputs.MigrationTaskDefinition!.Value).toEqual({
      Ref: onlyResource(template, 'AWS::ECS::TaskDefinition').id,
    });
    expect(JSON.stringify(outputs.MigrationSubnets!.Value)).toMatch(/appSubnet1.*appSubnet2/);
    expect(JSON.stringify(outputs.MigrationSecurityGroup!.Value)).toContain('SecurityGroupsMigration');
  });
});

test('with Kakao configured, its client secret is one more secret', () => {
  const kakao = synthesize({
    kakaoClientId: 'rest-api-key',
    kakaoRedirectUri: 'https://api.modak.example.com/api/v1/auth/kakao/callback',
    kakaoAppId: '123456',
  });
  const names = Object.values(resourcesOf(kakao.templates.platform, 'AWS::SecretsManager::Secret')).map(
    (secret) => secret.Properties!.Name,
  );
  expect(names).toContain('modak/kakao-client-secret');
});
