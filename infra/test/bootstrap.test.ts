import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPOSITORY } from './support/app-contract';
import { synthesize } from './support/modak';

/**
 * infra/bootstrap/execution-policy.json is what CloudFormation may do when it deploys the stacks (`cdk bootstrap
 * --cloudformation-execution-policies`, docs/deploy.md): the services of the synthesized templates, and IAM only for
 * the stacks' own roles. A new kind of resource in a stack fails here until the policy covers it.
 */
interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const policy = JSON.parse(
  readFileSync(path.join(REPOSITORY, 'infra', 'bootstrap', 'execution-policy.json'), 'utf8'),
) as { Version: string; Statement: Statement[] };
const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const allowed = policy.Statement.filter((statement) => statement.Effect === 'Allow');
const actions = allowed.flatMap((statement) => list(statement.Action));

/** The IAM service prefix of each CloudFormation namespace (custom resources are Lambda functions). */
const SERVICE_OF: Record<string, string> = {
  'AWS::ApplicationAutoScaling': 'application-autoscaling',
  'AWS::CertificateManager': 'acm',
  'AWS::CloudFormation': 'cloudformation',
  'AWS::CloudWatch': 'cloudwatch',
  'AWS::EC2': 'ec2',
  'AWS::ECR': 'ecr',
  'AWS::ECS': 'ecs',
  'AWS::ElastiCache': 'elasticache',
  'AWS::ElasticLoadBalancingV2': 'elasticloadbalancing',
  'AWS::Events': 'events',
  'AWS::IAM': 'iam',
  'AWS::KMS': 'kms',
  'AWS::Lambda': 'lambda',
  'AWS::Logs': 'logs',
  'AWS::RDS': 'rds',
  'AWS::Route53': 'route53',
  'AWS::S3': 's3',
  'AWS::SecretsManager': 'secretsmanager',
  'AWS::SNS': 'sns',
  'AWS::SQS': 'sqs',
  'AWS::SSM': 'ssm',
  'AWS::Synthetics': 'synthetics',
  'AWS::WAFv2': 'wafv2',
  Custom: 'lambda',
};
const STACK_ROLES = 'arn:aws:iam::*:role/Modak-*';

const { templates } = synthesize();
const synthesized = Object.values(templates).map(
  (template) =>
    template.toJSON() as {
      Transform?: string | string[];
      Parameters?: Record<string, { Type: string; Default?: string }>;
      Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    },
);
const resources = synthesized.flatMap((template) => Object.values(template.Resources));
const types = [...new Set(resources.map((resource) => resource.Type))].sort();
const namespaceOf = (type: string) =>
  type.startsWith('Custom::') ? 'Custom' : type.split('::').slice(0, 2).join('::');

describe('the CloudFormation execution policy of the CDK bootstrap', () => {
  test('never grants everything: no "*" action, no NotAction or NotResource, nothing but Allow', () => {
    expect(policy.Version).toBe('2012-10-17');
    expect(allowed.length).toBe(policy.Statement.length);
    for (const statement of policy.Statement) {
      expect([statement.Sid, statement.NotAction, statement.NotResource]).toEqual([
        statement.Sid,
        undefined,
        undefined,
      ]);
      expect(list(statement.Action).length).toBeGreaterThan(0);
      expect(list(statement.Resource).length).toBeGreaterThan(0);
    }
    expect(actions).not.toContain('*');
    expect(actions.filter((action) => !/^[a-z0-9-]+:[A-Za-z*]+$/.test(action))).toEqual([]);
  });

  test('on every resource ("*"), only the services of the stacks: no IAM, STS, Organizations or CloudFormation', () => {
    const onEverything = allowed.filter((statement) => list(statement.Resource).includes('*'));
    expect(onEverything.length).toBeGreaterThan(0);
    const services = onEverything.flatMap((statement) => list(statement.Action)).map((action) => action.split(':')[0]);
    for (const forbidden of ['iam', 'sts', 'organizations', 'cloudformation', 'account'])
      expect([forbidden, services.includes(forbidden)]).toEqual([forbidden, false]);
  });

  test("IAM only on the stacks' own roles (Modak-*), and service-linked roles of the stacks' services", () => {
    const iam = allowed.filter((statement) => list(statement.Action).some((action) => action.startsWith('iam:')));
    expect(iam.length).toBeGreaterThan(0);
    for (const statement of iam) {
      const iamActions = list(statement.Action);
      if (iamActions.includes('iam:CreateServiceLinkedRole')) {
        expect(iamActions).toEqual(['iam:CreateServiceLinkedRole']);
        expect(statement.Condition?.StringEquals?.['iam:AWSServiceName']).toEqual(
          expect.arrayContaining(['ecs.amazonaws.com', 'rds.amazonaws.com']),
        );
        continue;
      }
      expect(iamActions.every((action) => action.startsWith('iam:') && !action.includes('*'))).toBe(true);
      expect(list(statement.Resource)).toEqual([STACK_ROLES]);
      expect(iamActions).toEqual(expect.arrayContaining(['iam:CreateRole', 'iam:PassRole', 'iam:PutRolePolicy']));
    }
  });

  test('covers the service of every resource type in the synthesized templates', () => {
    expect(types.length).toBeGreaterThan(20);
    const unknown = types.filter((type) => SERVICE_OF[namespaceOf(type)] === undefined);
    expect(unknown).toEqual([]);
    const services = [...new Set(types.map((type) => SERVICE_OF[namespaceOf(type)]!))].sort();
    expect(services).toEqual(expect.arrayContaining(['ec2', 'ecs', 'elasticache', 'iam', 'rds', 'secretsmanager']));
    const uncovered = services.filter((service) => !actions.some((action) => action.startsWith(`${service}:`)));
    expect(uncovered).toEqual([]);
  });

  test("the stacks' IAM resources are roles and their inline policies, with CloudFormation's Modak-* names", () => {
    const iamTypes = types.filter((type) => type.startsWith('AWS::IAM::'));
    expect(iamTypes).toEqual(['AWS::IAM::Policy', 'AWS::IAM::Role']);
    const named = resources
      .filter((resource) => resource.Type === 'AWS::IAM::Role' && resource.Properties?.RoleName !== undefined)
      .map((resource) => resource.Properties!.RoleName);
    expect(named.filter((name) => typeof name !== 'string' || !name.startsWith('Modak-'))).toEqual([]);
  });

  test('the secret rotation transform, its nested stack and the bootstrap version parameter are allowed', () => {
    const transforms = synthesized.flatMap((template) => list(template.Transform));
    const resourcesOf = (action: string) =>
      allowed.filter((statement) => list(statement.Action).includes(action)).flatMap((s) => list(s.Resource));
    if (transforms.some((transform) => transform.startsWith('AWS::SecretsManager-'))) {
      expect(resourcesOf('cloudformation:CreateChangeSet')).toEqual(
        expect.arrayContaining([
          'arn:aws:cloudformation:*:aws:transform/SecretsManager-*',
          'arn:aws:cloudformation:*:aws:transform/Serverless-2016-10-31',
        ]),
      );
      expect(actions).toEqual(expect.arrayContaining(['serverlessrepo:GetCloudFormationTemplate', 'lambda:*']));
    }
    expect(resourcesOf('cloudformation:*')).toEqual(['arn:aws:cloudformation:*:*:stack/Modak-*/*']);
    const ssmParameters = synthesized
      .flatMap((template) => Object.values(template.Parameters ?? {}))
      .filter((parameter) => parameter.Type.startsWith('AWS::SSM::Parameter::Value'));
    expect(ssmParameters.length).toBeGreaterThan(0);
    for (const parameter of ssmParameters) {
      expect(parameter.Default).toMatch(/^\/cdk-bootstrap\//);
    }
    expect(resourcesOf('ssm:GetParameters')).toEqual(['arn:aws:ssm:*:*:parameter/cdk-bootstrap/*']);
  });
});
