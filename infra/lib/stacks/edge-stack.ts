import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ApplicationTargetGroup,
  IpAddressType,
  ListenerAction,
  ListenerCondition,
  SslPolicy,
  TargetType,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { LoadBalancerTarget } from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import type { ModakConfig } from '../config';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { WebAcl } from '../constructs/web-acl';
import { APP_PORT, DEREGISTRATION_DELAY, LOAD_BALANCER_IDLE_TIMEOUT, METRICS_PATH, READINESS_PATH } from '../runtime';
import type { NetworkStack } from './network-stack';

export interface EdgeStackProps extends StackProps {
  config: ModakConfig;
  network: NetworkStack;
}

/**
 * The public edge: an ACM certificate validated through DNS in the hosted zone, a dual-stack load balancer with an
 * HTTPS listener (TLS 1.3 and 1.2, forward-secret AEAD ciphers and post-quantum key exchange) and an HTTP listener that
 * only redirects, the api's target group, and the A and AAAA alias records of the API name. Nothing scrapes the api's
 * Prometheus metrics (the alarms read the metrics the processes write into their logs), and the HTTPS listener answers
 * 404 for them before it forwards anything, so they never leave through the load balancer. A WAF web ACL in front of
 * the load balancer drops known-bad addresses, floods from one address and common exploits.
 */
export class EdgeStack extends Stack {
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly targetGroup: ApplicationTargetGroup;
  readonly webAcl: WebAcl;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { config, network } = props;

    // Given by id and name: looking the zone up would need AWS credentials at synth time.
    const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
      hostedZoneId: config.hostedZoneId,
      zoneName: config.hostedZoneName,
    });
    const certificate = new Certificate(this, 'Certificate', {
      domainName: config.domainName,
      validation: CertificateValidation.fromDns(zone),
    });

    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: network.vpc,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      internetFacing: true,
      ipAddressType: IpAddressType.DUAL_STACK,
      securityGroup: network.securityGroups.loadBalancer,
      idleTimeout: LOAD_BALANCER_IDLE_TIMEOUT,
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(
      new AccessLogBucket(this, 'AccessLogs', { retention: config.logRetention }).bucket,
      'alb',
    );
    this.webAcl = new WebAcl(this, 'Waf', { loadBalancer: this.loadBalancer, logRetention: config.logRetention });

    this.targetGroup = new ApplicationTargetGroup(this, 'Api', {
      vpc: network.vpc,
      targetType: TargetType.IP,
      protocol: ApplicationProtocol.HTTP,
      port: APP_PORT,
      deregistrationDelay: DEREGISTRATION_DELAY,
      healthCheck: {
        path: READINESS_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });

    // The security groups are defined whole in the network stack: the listeners open nothing themselves.
    const https = this.loadBalancer.addListener('Https', {
      protocol: ApplicationProtocol.HTTPS,
      port: 443,
      certificates: [certificate],
      sslPolicy: SslPolicy.TLS13_12_RES_PQ,
      defaultTargetGroups: [this.targetGroup],
      open: false,
    });
    // Priority 1, before any forward rule: from the internet the metrics do not exist. The body is the api's own answer
    // to an unknown route (problem details without the request id; a fixed response cannot be application/problem+json).
    https.addAction('HideMetrics', {
      priority: 1,
      conditions: [ListenerCondition.pathPatterns([METRICS_PATH, `${METRICS_PATH}/*`])],
      action: ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: JSON.stringify({
          type: 'urn:modak:problem:not-found',
          title: 'Not found',
          status: 404,
          detail: 'No such resource',
          code: 'NOT_FOUND',
        }),
      }),
    });
    this.loadBalancer.addListener('Http', {
      protocol: ApplicationProtocol.HTTP,
      port: 80,
      defaultAction: ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
      open: false,
    });

    const target = RecordTarget.fromAlias(new LoadBalancerTarget(this.loadBalancer));
    new ARecord(this, 'Ipv4', { zone, recordName: config.domainName, target });
    new AaaaRecord(this, 'Ipv6', { zone, recordName: config.domainName, target });
  }
}
