import { Peer, Port, SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createModak } from '../lib/modak';
import { synthesize } from './support/modak';

const modak = synthesize();

test('the AwsSolutions pack finds nothing that is not acknowledged', () => {
  const report = new AwsSolutionsChecks(modak.app).validateScope(modak.app);
  expect(
    report.violations.map(
      (violation) =>
        `${violation.ruleName}: ${violation.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
    ),
  ).toEqual([]);
  expect(report.success).toBe(true);
});

test('the pack runs during synthesis: a finding fails it', () => {
  const { app, network } = createModak();
  const open = new SecurityGroup(network, 'Open', { vpc: network.vpc, description: 'open to the world' });
  open.addIngressRule(Peer.anyIpv4(), Port.tcp(22), 'ssh from anywhere');
  expect(() => app.synth()).toThrow(/AwsSolutions-EC23/);
});

/** Every acknowledged AwsSolutions rule, as written into the templates' metadata: "<rule> <stack>/<resource>". */
const acknowledgements = Object.entries(modak.templates).flatMap(([stack, template]) =>
  Object.entries(
    template.toJSON().Resources as Record<
      string,
      { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }
    >,
  ).flatMap(([logicalId, resource]) =>
    (resource.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .filter((rule) => rule.id.startsWith('AwsSolutions-'))
      .map((rule) => ({ where: `${stack}/${logicalId}`, ...rule })),
  ),
);

test('every acknowledgement says why', () => {
  expect(acknowledgements.length).toBeGreaterThan(0);
  for (const { id, reason } of acknowledgements) expect([id, reason.length >= 60]).toEqual([id, true]);
});

/** The logical id of the canary's artifacts bucket, which names the objects its role writes. */
const artifactsBucket = Object.keys(modak.templates.services.findResources('AWS::S3::Bucket'))[0];

test('exactly these rules are acknowledged (a new one is a decision, recorded in infra/README.md)', () => {
  const rules = [...new Set(acknowledgements.map((acknowledgement) => acknowledgement.id))].sort();
  expect(rules).toEqual(
    [
      'AwsSolutions-AEC5',
      'AwsSolutions-EC23',
      'AwsSolutions-ECS2',
      'AwsSolutions-IAM5[Resource::*]',
      // The scenario canary's role: its artifacts' objects, and the log group of a function Synthetics names.
      `AwsSolutions-IAM5[Resource::<${artifactsBucket}.Arn>/modak-scenario/*]`,
      'AwsSolutions-IAM5[Resource::arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws/lambda/cwsyn-modak-scenario-*]',
      'AwsSolutions-RDS11',
      'AwsSolutions-RDS2',
      'AwsSolutions-RDS3',
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
    ].sort(),
  );
  // Narrowly: each on the resources it concerns.
  const where = (rule: string) =>
    [...new Set(acknowledgements.filter((a) => a.id === rule).map((a) => a.where.replace(/[0-9A-F]{8}$/, '')))].sort();
  expect(where('AwsSolutions-EC23')).toEqual(['network/SecurityGroupsLoadBalancer']);
  expect(where('AwsSolutions-RDS2')).toEqual(['data/PostgresReplica']);
  expect(where('AwsSolutions-RDS3')).toEqual(['data/PostgresReplica']);
  expect(where('AwsSolutions-RDS11')).toEqual(['data/PostgresPrimary', 'data/PostgresReplica']);
  expect(where('AwsSolutions-S1')).toEqual(['edge/AccessLogsBucket', 'services/ScenarioArtifacts']);
  // The roles and their default policies.
  expect(where('AwsSolutions-IAM5[Resource::*]')).toEqual(
    [
      'platform/MigrationTaskDefinitionExecutionRole',
      'services/ApiTaskTaskDefinitionExecutionRole',
      'services/ScenarioRole',
      'services/WorkerTaskTaskDefinitionExecutionRole',
    ].flatMap((role) => [role, `${role}DefaultPolicy`]),
  );
  expect(where('AwsSolutions-ECS2')).toEqual([
    'platform/MigrationTaskDefinition',
    'services/ApiTaskTaskDefinition',
    'services/WorkerTaskTaskDefinition',
  ]);
});
