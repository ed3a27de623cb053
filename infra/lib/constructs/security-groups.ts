import { Validations } from 'aws-cdk-lib';
import { Peer, Port, SecurityGroup, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { APP_PORT, POSTGRES_PORT, REDIS_PORT, SMTP_PORT } from '../runtime';

/**
 * One security group per role, each admitting only what flows:
 * internet -> ALB 443/80; ALB -> api tasks on the app port; api and migration tasks -> PostgreSQL 5432; api and worker
 * tasks -> Redis 6379; tasks -> HTTPS (AWS APIs through the NAT, Kakao); worker -> SMTP submission; the rotation of the
 * app role's password -> PostgreSQL 5432 and HTTPS (Secrets Manager). Nothing else, in or out.
 */
export class SecurityGroups extends Construct {
  readonly loadBalancer: SecurityGroup;
  readonly api: SecurityGroup;
  readonly worker: SecurityGroup;
  readonly migration: SecurityGroup;
  /** The Lambda function that Secrets Manager's hosted rotation runs for the app role's password. */
  readonly rotation: SecurityGroup;
  readonly database: SecurityGroup;
  readonly cache: SecurityGroup;

  constructor(scope: Construct, id: string, props: { vpc: IVpc }) {
    super(scope, id);
    const group = (name: string, description: string) =>
      new SecurityGroup(this, name, {
        vpc: props.vpc,
        description,
        allowAllOutbound: false,
        allowAllIpv6Outbound: false,
      });

    this.loadBalancer = group(
      'LoadBalancer',
      'Modak load balancer: HTTPS and HTTP from the internet, to the api tasks',
    );
    this.api = group('Api', 'Modak api tasks: from the load balancer, to PostgreSQL, Redis and HTTPS');
    this.worker = group('Worker', 'Modak worker tasks: to Redis, SMTP and HTTPS');
    this.migration = group('Migration', 'Modak migration task: to PostgreSQL and HTTPS');
    this.rotation = group('Rotation', 'Modak database password rotation: to PostgreSQL and HTTPS (Secrets Manager)');
    this.database = group('Database', 'Modak PostgreSQL primary and replica: from the api, migration and rotation');
    this.cache = group('Cache', 'Modak Redis: from the api and worker tasks');

    for (const internet of [Peer.anyIpv4(), Peer.anyIpv6()]) {
      this.loadBalancer.addIngressRule(internet, Port.tcp(443), 'HTTPS from the internet');
      this.loadBalancer.addIngressRule(internet, Port.tcp(80), 'HTTP from the internet, redirected to HTTPS');
    }
    Validations.of(this.loadBalancer.node.defaultChild!).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The internet-facing load balancer must accept HTTPS (and HTTP, to redirect it) from anywhere.',
    });

    this.loadBalancer.connections.allowTo(
      this.api,
      Port.tcp(APP_PORT),
      'Load balancer to the api (traffic and health checks)',
    );
    // The worker has no database access: it works from Redis (mail, Kakao unlinks) alone.
    for (const task of [this.api, this.migration]) {
      task.connections.allowTo(this.database, Port.tcp(POSTGRES_PORT), 'Tasks to PostgreSQL');
    }
    for (const task of [this.api, this.worker, this.migration]) {
      for (const internet of [Peer.anyIpv4(), Peer.anyIpv6()]) {
        task.addEgressRule(internet, Port.tcp(443), 'HTTPS: ECR, Secrets Manager, CloudWatch Logs, Kakao');
      }
    }
    // The rotation function logs in as the app role to change its password, and calls Secrets Manager through the NAT
    // (a Lambda function in a dual-stack subnet reaches out over IPv4 only).
    this.rotation.connections.allowTo(this.database, Port.tcp(POSTGRES_PORT), 'Password rotation to PostgreSQL');
    this.rotation.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS: Secrets Manager');
    for (const task of [this.api, this.worker]) {
      task.connections.allowTo(this.cache, Port.tcp(REDIS_PORT), 'Tasks to Redis');
    }
    for (const internet of [Peer.anyIpv4(), Peer.anyIpv6()]) {
      this.worker.addEgressRule(internet, Port.tcp(SMTP_PORT), 'SMTP submission to SES');
    }
  }
}
