import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { resourcesOf, synthesize } from './support/modak';

const modak = synthesize();
const { network: template } = modak.templates;

describe('VPC', () => {
  test('dual-stack over the two configured zones', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    template.resourceCountIs('AWS::EC2::VPCCidrBlock', 1);
    template.hasResourceProperties('AWS::EC2::VPCCidrBlock', { AmazonProvidedIpv6CidrBlock: true });
    template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 1);
    const zones = new Set(
      Object.values(resourcesOf(template, 'AWS::EC2::Subnet')).map((subnet) => subnet.Properties!.AvailabilityZone),
    );
    expect([...zones].sort()).toEqual(['ap-northeast-2a', 'ap-northeast-2c']);
  });

  test('public, private and isolated subnets in each zone; NAT gateways in the public ones', () => {
    const subnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet'));
    const byType = (type: string) =>
      subnets.filter((subnet) =>
        (subnet.Properties!.Tags as { Key: string; Value: string }[]).some(
          (tag) => tag.Key === 'aws-cdk:subnet-type' && tag.Value === type,
        ),
      );
    expect(byType('Public')).toHaveLength(2);
    expect(byType('Private')).toHaveLength(2);
    expect(byType('Isolated')).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
    // Isolated subnets have no route out: only the public (internet gateway) and private (NAT, egress-only) ones do.
    template.resourcePropertiesCountIs('AWS::EC2::Route', { NatGatewayId: Match.anyValue() }, 2);
  });

  test('flow logs to CloudWatch with a retention, and an S3 gateway endpoint', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({}),
    });
  });
});

describe('security groups admit only what flows', () => {
  const groups = modak.network.securityGroups;
  const names = new Map(
    Object.entries({
      loadBalancer: groups.loadBalancer,
      api: groups.api,
      worker: groups.worker,
      migration: groups.migration,
      rotation: groups.rotation,
      database: groups.database,
      cache: groups.cache,
    }).map(([name, group]) => [modak.network.getLogicalId(group.node.defaultChild as CfnElement), name]),
  );
  const nameOf = (reference: unknown) => {
    const logicalId = (reference as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return names.get(logicalId) ?? `unknown ${logicalId}`;
  };
  const port = (rule: Record<string, unknown>) =>
    `${rule.IpProtocol}/${rule.FromPort === rule.ToPort ? rule.FromPort : `${rule.FromPort}-${rule.ToPort}`}`;
  const cidr = (rule: Record<string, unknown>) => String(rule.CidrIp ?? rule.CidrIpv6);

  /** Every rule of the network stack as "<group> in|out <port> <peer>". */
  const rules: string[] = [];
  for (const [id, group] of Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup'))) {
    const name = names.get(id) ?? `unknown ${id}`;
    for (const rule of (group.Properties!.SecurityGroupIngress ?? []) as Record<string, unknown>[])
      rules.push(`${name} in ${port(rule)} ${cidr(rule)}`);
    for (const rule of (group.Properties!.SecurityGroupEgress ?? []) as Record<string, unknown>[]) {
      if (rule.Description !== 'Disallow all traffic') rules.push(`${name} out ${port(rule)} ${cidr(rule)}`);
    }
  }
  for (const rule of Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress'))) {
    rules.push(
      `${nameOf(rule.Properties!.GroupId)} in ${port(rule.Properties!)} ${nameOf(rule.Properties!.SourceSecurityGroupId)}`,
    );
  }
  for (const rule of Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress'))) {
    rules.push(
      `${nameOf(rule.Properties!.GroupId)} out ${port(rule.Properties!)} ${nameOf(rule.Properties!.DestinationSecurityGroupId)}`,
    );
  }

  test('exactly these rules, in and out', () => {
    expect(rules.sort()).toEqual(
      [
        // internet -> ALB 443/80
        'loadBalancer in tcp/443 0.0.0.0/0',
        'loadBalancer in tcp/443 ::/0',
        'loadBalancer in tcp/80 0.0.0.0/0',
        'loadBalancer in tcp/80 ::/0',
        // ALB -> api tasks on the app port
        'loadBalancer out tcp/3000 api',
        'api in tcp/3000 loadBalancer',
        // api and migration tasks -> PostgreSQL 5432 (the worker has no database)
        'api out tcp/5432 database',
        'migration out tcp/5432 database',
        'database in tcp/5432 api',
        'database in tcp/5432 migration',
        // the rotation of the app role's password -> PostgreSQL 5432, and Secrets Manager through the NAT (IPv4)
        'rotation out tcp/5432 database',
        'database in tcp/5432 rotation',
        'rotation out tcp/443 0.0.0.0/0',
        // tasks -> Redis 6379
        'api out tcp/6379 cache',
        'worker out tcp/6379 cache',
        'cache in tcp/6379 api',
        'cache in tcp/6379 worker',
        // tasks -> HTTPS (ECR, Secrets Manager, CloudWatch Logs through the NAT; Kakao), worker -> SMTP submission
        'api out tcp/443 0.0.0.0/0',
        'api out tcp/443 ::/0',
        'worker out tcp/443 0.0.0.0/0',
        'worker out tcp/443 ::/0',
        'migration out tcp/443 0.0.0.0/0',
        'migration out tcp/443 ::/0',
        'worker out tcp/587 0.0.0.0/0',
        'worker out tcp/587 ::/0',
      ].sort(),
    );
  });

  test('no group keeps the default allow-all egress, and no other stack defines groups or rules', () => {
    // CloudFormation adds an allow-all egress rule to a group created without egress rules, and removes it when the
    // first egress rule is added, inline or as its own resource.
    const withStandaloneEgress = new Set(
      Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupEgress')).map((rule) =>
        nameOf(rule.Properties!.GroupId),
      ),
    );
    for (const [id, group] of Object.entries(resourcesOf(template, 'AWS::EC2::SecurityGroup'))) {
      expect([
        id,
        group.Properties!.SecurityGroupEgress !== undefined || withStandaloneEgress.has(names.get(id)!),
      ]).toEqual([id, true]);
    }
    expect(rules.filter((rule) => /tcp\/\d+-|-1\//.test(rule))).toEqual([]);
    for (const other of [
      modak.templates.data,
      modak.templates.edge,
      modak.templates.platform,
      modak.templates.services,
    ]) {
      for (const type of [
        'AWS::EC2::SecurityGroup',
        'AWS::EC2::SecurityGroupIngress',
        'AWS::EC2::SecurityGroupEgress',
      ]) {
        other.resourceCountIs(type, 0);
      }
    }
  });

  test('PostgreSQL, Redis, the load balancer and the services each use their group', () => {
    const logicalIdOf = (name: string) => [...names].find(([, group]) => group === name)![0];
    const uses = (
      other: typeof template,
      type: string,
      path: (properties: Record<string, any>) => unknown,
      group: string,
    ) => {
      const resources = Object.values(resourcesOf(other, type));
      expect(resources.length).toBeGreaterThan(0);
      for (const resource of resources)
        expect(JSON.stringify(path(resource.Properties!))).toContain(logicalIdOf(group));
    };
    uses(modak.templates.data, 'AWS::RDS::DBInstance', (p) => p.VPCSecurityGroups, 'database');
    uses(modak.templates.data, 'AWS::ElastiCache::ReplicationGroup', (p) => p.SecurityGroupIds, 'cache');
    uses(modak.templates.edge, 'AWS::ElasticLoadBalancingV2::LoadBalancer', (p) => p.SecurityGroups, 'loadBalancer');
    const services = Object.values(resourcesOf(modak.templates.services, 'AWS::ECS::Service'));
    const groupOfService = (name: string) =>
      JSON.stringify(
        services.find((service) => service.Properties!.ServiceName === name)!.Properties!.NetworkConfiguration,
      );
    expect(groupOfService('modak-api')).toContain(logicalIdOf('api'));
    expect(groupOfService('modak-worker')).toContain(logicalIdOf('worker'));
    uses(
      modak.templates.data,
      'AWS::SecretsManager::RotationSchedule',
      (p) => p.HostedRotationLambda.VpcSecurityGroupIds,
      'rotation',
    );
  });

  test('the worker cannot reach PostgreSQL, but still reaches Redis, SMTP and HTTPS', () => {
    const worker = rules.filter((rule) => rule.startsWith('worker ') || rule.endsWith(' worker'));
    expect(worker.filter((rule) => rule.includes('database') || rule.includes('5432'))).toEqual([]);
    expect(worker).toEqual(
      expect.arrayContaining(['worker out tcp/6379 cache', 'worker out tcp/587 0.0.0.0/0', 'worker out tcp/443 ::/0']),
    );
  });
});
