import { ArnFormat, AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ArtifactsEncryptionMode, Canary, Code, Runtime, Schedule, Test } from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';

/** The canary's name (at most 21 characters), which also names its Lambda function: `cwsyn-<name>-<id>`. */
export const CANARY_NAME = 'modak-scenario';
export const CANARY_SECRET_NAME = 'modak/canary';
/** The secret's placeholder address, until an operator puts the canary account; the handler refuses it by name. */
export const CANARY_PLACEHOLDER_EMAIL = 'canary@example.invalid';
/** How often the scenario runs. */
export const CANARY_INTERVAL = Duration.minutes(5);
/** How long the canary's artifacts (its log and result of each run) are kept. */
const ARTIFACT_RETENTION = Duration.days(31);

/** The infra folder (with cdk.json), from the sources under lib/ or from their build under dist/lib/. */
function infraDirectory(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'cdk.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no cdk.json above ${__dirname}`);
  }
}

/** The handler (infra/canary/index.js) and the product's smoke scenario, which the handler runs. */
export const CANARY_HANDLER_DIRECTORY = path.join(infraDirectory(), 'canary');
export const SCENARIO_FILE = path.join(infraDirectory(), '..', 'scripts', 'smoke', 'scenario.mjs');

export interface ScenarioCanaryProps {
  /** The API's public name: the scenario runs against https://<domainName>, as a client would. */
  domainName: string;
}

/**
 * A CloudWatch Synthetics canary that runs the product's smoke scenario against the public API every five minutes,
 * signed in as the canary account, whose email and password an operator puts in the secret `modak/canary`
 * (docs/deploy.md). It runs outside the VPC, through the load balancer and DNS like any client. Its runs are in
 * CloudWatch (metrics `CloudWatchSynthetics`, the Lambda function's log) and in an encrypted bucket of its own.
 *
 * The Playwright runtime is used for its Node.js 22 (global fetch, the AWS SDK v3) and its plain packaging (the handler
 * at the root of the bundle); no browser is started.
 */
export class ScenarioCanary extends Construct {
  readonly canary: Canary;
  readonly credentials: Secret;
  readonly artifacts: Bucket;

  constructor(scope: Construct, id: string, props: ScenarioCanaryProps) {
    super(scope, id);

    this.credentials = new Secret(this, 'Credentials', {
      secretName: CANARY_SECRET_NAME,
      description:
        'The scenario canary\'s Modak account, JSON {"email", "password"}: put by an operator (docs/deploy.md)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ email: CANARY_PLACEHOLDER_EMAIL }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludePunctuation: true,
      },
    });
    Validations.of(this.credentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        "The canary account's password is set in Modak by an operator, where Secrets Manager cannot change it; it is rotated by hand, secret and account together, by the runbook in docs/deploy.md.",
    });

    this.artifacts = new Bucket(this, 'Artifacts', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ expiration: ARTIFACT_RETENTION }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.artifacts.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "Only the canary's own role writes here (what each run logged and its result, kept 31 days); logging the access to it would need another bucket, whose access would go unlogged in turn.",
    });

    const role = this.role();
    this.canary = new Canary(this, 'Canary', {
      canaryName: CANARY_NAME,
      runtime: Runtime.SYNTHETICS_NODEJS_PLAYWRIGHT_6_0,
      test: Test.custom({ code: scenarioCode(), handler: 'index.handler' }),
      schedule: Schedule.rate(CANARY_INTERVAL),
      timeout: Duration.minutes(2),
      environmentVariables: {
        MODAK_BASE_URL: `https://${props.domainName}`,
        // Where to read the account, not the account: the handler reads the secret when it runs.
        MODAK_CANARY_SECRET_ID: this.credentials.secretArn,
      },
      role,
      artifactsBucketLocation: { bucket: this.artifacts, prefix: CANARY_NAME },
      artifactS3EncryptionMode: ArtifactsEncryptionMode.S3_MANAGED,
      successRetentionPeriod: Duration.days(7),
      failureRetentionPeriod: ARTIFACT_RETENTION,
      provisionedResourceCleanup: true,
    });
    this.credentials.grantRead(role);
  }

  /** What the canary's Lambda function may do: write its artifacts, logs and metrics (and read its secret). */
  private role(): Role {
    const stack = Stack.of(this);
    // The canary's Lambda function is `cwsyn-<name>-<id>`, Synthetics choosing the id: its log group is known up to it.
    const logGroups = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: `/aws/lambda/cwsyn-${CANARY_NAME}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Modak scenario canary: its artifacts, logs and metrics, and its account secret',
      inlinePolicies: {
        canary: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['s3:PutObject'],
              resources: [this.artifacts.arnForObjects(`${CANARY_NAME}/*`)],
            }),
            new PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.artifacts.bucketArn] }),
            new PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
            new PolicyStatement({
              actions: ['cloudwatch:PutMetricData'],
              resources: ['*'],
              conditions: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
            }),
            new PolicyStatement({
              actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [logGroups],
            }),
          ],
        }),
      },
    });
    const bucket = stack.resolve(stack.getLogicalId(this.artifacts.node.defaultChild as CfnBucket)) as string;
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          's3:ListAllMyBuckets and cloudwatch:PutMetricData have no resource-level permissions; the metrics are held to the CloudWatchSynthetics namespace by a condition.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${CANARY_NAME}/*]`,
        reason:
          "The canary writes each run's artifacts as new objects under its own prefix of its own bucket, named when they are written.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::${logGroups}]`,
        reason:
          "Synthetics names the canary's Lambda function cwsyn-<canary>-<id> with an id of its choosing: the log group is known up to that id.",
      },
    );
    return role;
  }
}

/**
 * The canary's bundle: the handler and the scenario beside it, as scenario.mjs. Copied at synthesis (no Docker); the
 * asset's hash is that of the bundle, so a change to the scenario deploys a new version of the canary.
 */
function scenarioCode(): Code {
  return Code.fromAsset(CANARY_HANDLER_DIRECTORY, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local bundling below always bundles or throws.
      image: DockerImage.fromRegistry('scratch'),
      local: {
        tryBundle(outputDir: string): boolean {
          if (!existsSync(SCENARIO_FILE)) throw new Error(`the canary runs ${SCENARIO_FILE}, which is missing`);
          copyFileSync(path.join(CANARY_HANDLER_DIRECTORY, 'index.js'), path.join(outputDir, 'index.js'));
          copyFileSync(SCENARIO_FILE, path.join(outputDir, 'scenario.mjs'));
          return true;
        },
      },
    },
  });
}
