import { Match } from 'aws-cdk-lib/assertions';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CANARY_HANDLER_DIRECTORY,
  CANARY_NAME,
  CANARY_PLACEHOLDER_EMAIL,
  SCENARIO_FILE,
} from '../lib/constructs/canary';
import { onlyResource, resourcesOf, synthesize } from './support/modak';

const modak = synthesize({ domainName: 'api.other.modak.example.com' });
const { services: template } = modak.templates;
type Properties = Record<string, any>;
const canary = onlyResource(template, 'AWS::Synthetics::Canary');
const secret = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret')).find(
  ([, resource]) => resource.Properties!.Name === 'modak/canary',
)!;
const HANDLER = path.join(CANARY_HANDLER_DIRECTORY, 'index.js');

describe('the scenario canary', () => {
  test('runs the bundled handler every five minutes on a current Node.js runtime, and starts when created', () => {
    expect(canary.properties).toMatchObject({
      Name: CANARY_NAME,
      RuntimeVersion: 'syn-nodejs-playwright-6.0',
      Schedule: { Expression: 'rate(5 minutes)' },
      Code: { Handler: 'index.handler', S3Key: expect.stringMatching(/\.zip$/) },
      RunConfig: { TimeoutInSeconds: 120 },
      StartCanaryAfterCreation: true,
      ProvisionedResourceCleanup: 'AUTOMATIC',
    });
  });

  test("against the API's public name, with its account read from the secret modak/canary when it runs", () => {
    expect(canary.properties.RunConfig.EnvironmentVariables).toEqual({
      MODAK_BASE_URL: 'https://api.other.modak.example.com',
      MODAK_CANARY_SECRET_ID: { Ref: secret[0] },
    });
  });

  test('the secret is created with a placeholder account, which the handler refuses by name', () => {
    expect(secret[1].Properties).toMatchObject({
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ email: CANARY_PLACEHOLDER_EMAIL }),
        GenerateStringKey: 'password',
      },
    });
    expect(readFileSync(HANDLER, 'utf8')).toContain(`const PLACEHOLDER_EMAIL = '${CANARY_PLACEHOLDER_EMAIL}';`);
  });

  test('writes its artifacts encrypted, to a private bucket of its own that only accepts TLS and forgets them', () => {
    const bucket = onlyResource(template, 'AWS::S3::Bucket');
    expect(canary.properties.ArtifactConfig).toEqual({ S3Encryption: { EncryptionMode: 'SSE_S3' } });
    expect(JSON.stringify(canary.properties.ArtifactS3Location)).toContain(bucket.id);
    expect(bucket.properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 31, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket.id },
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  test("its role: its artifacts, its log groups, Synthetics' metrics, and reading its one secret", () => {
    const roleId = canary.properties.ExecutionRoleArn['Fn::GetAtt'][0] as string;
    const role = resourcesOf(template, 'AWS::IAM::Role')[roleId]!.Properties as Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } }),
    ]);
    const inline = role.Policies.flatMap((policy: Properties) => policy.PolicyDocument.Statement) as Properties[];
    const attached = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties!.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => (policy.Properties!.PolicyDocument as Properties).Statement as Properties[]);
    const byAction = Object.fromEntries(
      [...inline, ...attached].map((statement) => [[statement.Action].flat().join(' '), statement]),
    );
    expect(Object.keys(byAction).sort()).toEqual(
      [
        'cloudwatch:PutMetricData',
        'logs:CreateLogGroup logs:CreateLogStream logs:PutLogEvents',
        's3:GetBucketLocation',
        's3:ListAllMyBuckets',
        's3:PutObject',
        'secretsmanager:DescribeSecret secretsmanager:GetSecretValue',
      ].sort(),
    );
    expect(byAction['cloudwatch:PutMetricData']!.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' },
    });
    expect(JSON.stringify(byAction['logs:CreateLogGroup logs:CreateLogStream logs:PutLogEvents']!.Resource)).toContain(
      `:log-group:/aws/lambda/cwsyn-${CANARY_NAME}-*`,
    );
    expect(JSON.stringify(byAction['s3:PutObject']!.Resource)).toContain(`/${CANARY_NAME}/*`);
    expect(byAction['secretsmanager:DescribeSecret secretsmanager:GetSecretValue']!.Resource).toEqual({
      Ref: secret[0],
    });
  });

  test('two failed runs of the last three (or none at all) alarm on the topic', () => {
    const alarm = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'))
      .map((resource) => resource.Properties as Properties)
      .find((properties) => properties.AlarmName === 'modak-scenario-canary')!;
    expect(alarm).toMatchObject({
      Namespace: 'CloudWatchSynthetics',
      MetricName: 'SuccessPercent',
      Dimensions: [{ Name: 'CanaryName', Value: { Ref: canary.id } }],
      Period: 300,
      Statistic: 'Average',
      Threshold: 100,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: expect.stringMatching(/^MonitoringTopic/) }],
    });
  });

  test('the bundle holds the handler and, beside it, the scenario of the repository', () => {
    const hash = (canary.properties.Code.S3Key as string).replace(/\.zip$/, '');
    const bundle = path.join(modak.app.outdir, `asset.${hash}`);
    expect(readFileSync(path.join(bundle, 'index.js'), 'utf8')).toBe(readFileSync(HANDLER, 'utf8'));
    expect(readFileSync(path.join(bundle, 'scenario.mjs'), 'utf8')).toBe(readFileSync(SCENARIO_FILE, 'utf8'));
  });
});

/**
 * The handler, run by node as the runtime runs it (CommonJS, the scenario loaded with import()), in a folder laid out
 * like the bundle, with a stand-in for the AWS SDK's Secrets Manager client and for the scenario.
 */
describe('the handler', () => {
  const SECRET_ID = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:modak/canary-AbCdEf';
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'modak-canary-'));
    copyFileSync(HANDLER, path.join(dir, 'index.js'));
    const sdk = path.join(dir, 'node_modules', '@aws-sdk', 'client-secrets-manager');
    mkdirSync(sdk, { recursive: true });
    writeFileSync(path.join(sdk, 'package.json'), JSON.stringify({ name: '@aws-sdk/client-secrets-manager' }));
    writeFileSync(
      path.join(sdk, 'index.js'),
      `exports.GetSecretValueCommand = class { constructor(input) { this.input = input; } };
exports.SecretsManagerClient = class {
  async send(command) {
    if (command.input.SecretId !== process.env.STUB_SECRET_ID) throw new Error('no such secret');
    return { SecretString: process.env.STUB_SECRET };
  }
};`,
    );
    writeFileSync(
      path.join(dir, 'scenario.mjs'),
      `import { writeFileSync } from 'node:fs';
export async function runScenario({ baseUrl, email, password, log }) {
  log('signed in');
  writeFileSync(process.env.STUB_RECORD, JSON.stringify({ baseUrl, email, password }));
  if (process.env.STUB_FAIL) throw new Error('step "create a board" answered 503');
}`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (secret: unknown, env: Record<string, string> = {}) => {
    const record = path.join(dir, `record-${Math.random().toString(36).slice(2)}.json`);
    const result = spawnSync(
      process.execPath,
      [
        '-e',
        `require('./index.js').handler().then(
          (result) => console.log('RESULT ' + result),
          (error) => { console.error('FAILED ' + error.message); process.exit(1); },
        );`,
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          MODAK_BASE_URL: 'https://api.modak.example.com',
          MODAK_CANARY_SECRET_ID: SECRET_ID,
          STUB_SECRET_ID: SECRET_ID,
          STUB_SECRET: typeof secret === 'string' ? secret : JSON.stringify(secret),
          STUB_RECORD: record,
          ...env,
        },
      },
    );
    let recorded: unknown;
    try {
      recorded = JSON.parse(readFileSync(record, 'utf8'));
    } catch {
      recorded = undefined;
    }
    return { ...result, recorded };
  };
  const account = { email: 'canary@modak.example.com', password: 'correct horse battery staple' };

  test('runs the scenario against the base URL as the account of the secret, and passes', () => {
    const result = run(account);
    expect(result.status).toBe(0);
    expect(result.recorded).toEqual({ baseUrl: 'https://api.modak.example.com', ...account });
    expect(result.stdout).toContain('[scenario] signed in');
    expect(result.stdout).toMatch(/RESULT the scenario passed against https:\/\/api\.modak\.example\.com in \d+ ms/);
    expect(result.stdout + result.stderr).not.toContain(account.password);
  });

  test("fails the run with the scenario's own error when a step fails", () => {
    const result = run(account, { STUB_FAIL: '1' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('FAILED step "create a board" answered 503');
    expect(result.stdout + result.stderr).not.toContain(account.password);
  });

  test.each([
    ['the placeholder', { email: CANARY_PLACEHOLDER_EMAIL, password: 'generated' }, /still holds its placeholder/],
    ['no password', { email: 'canary@modak.example.com' }, /needs a non-empty "email" and "password"/],
    ['not JSON', 'smtp://not-json', /is not JSON/],
  ])('refuses a secret with %s, naming the secret, without running the scenario', (_, secretValue, message) => {
    const result = run(secretValue);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(SECRET_ID);
    expect(result.recorded).toBeUndefined();
  });
});
