import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DEREGISTRATION_DELAY,
  LOAD_BALANCER_IDLE_TIMEOUT,
  METRICS_PATH,
  SHUTDOWN_DRAIN,
  STOP_TIMEOUT,
} from '../lib/runtime';
import { REPOSITORY } from './support/app-contract';
import { onlyResource, resourcesOf, synthesize } from './support/modak';

const modak = synthesize();
const { edge: template } = modak.templates;
const loadBalancer = onlyResource(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
const targetGroup = onlyResource(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
const certificate = onlyResource(template, 'AWS::CertificateManager::Certificate');
const listeners = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener')).map(
  (listener) => listener.Properties!,
);
const attribute = (attributes: { Key: string; Value: string }[], key: string) =>
  attributes.find((entry) => entry.Key === key)?.Value;

test('a certificate for the API name, validated through DNS in the hosted zone', () => {
  expect(certificate.properties).toEqual(
    expect.objectContaining({
      DomainName: 'api.modak.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'api.modak.example.com', HostedZoneId: 'Z0EXAMPLE0000000000000' }],
    }),
  );
});

test('HTTPS on 443 with the certificate and a modern TLS policy, forwarding to the api', () => {
  expect(listeners.filter((listener) => listener.Port === 443)).toEqual([
    expect.objectContaining({
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: certificate.id } }],
      // TLS 1.3 and 1.2 only, forward-secret AEAD ciphers, hybrid post-quantum key exchange.
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: targetGroup.id } }],
    }),
  ]);
});

test('the HTTPS listener answers 404 for /metrics and below, before any forward, and forwards nothing else by rule', () => {
  const https = Object.entries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener')).find(
    ([, listener]) => listener.Properties!.Port === 443,
  )![0];
  const rules = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::ListenerRule')).map(
    (rule) => rule.Properties!,
  );
  expect(rules).toEqual([
    expect.objectContaining({
      ListenerArn: { Ref: https },
      Priority: 1,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/metrics', '/metrics/*'] } }],
      Actions: [
        {
          Type: 'fixed-response',
          FixedResponseConfig: {
            StatusCode: '404',
            ContentType: 'application/json',
            MessageBody: expect.any(String),
          },
        },
      ],
    }),
  ]);
  const { MessageBody } = (rules[0]!.Actions as { FixedResponseConfig: { MessageBody: string } }[])[0]!
    .FixedResponseConfig;
  // The api's own 404 for an unknown route (problem details), without a request id.
  expect(JSON.parse(MessageBody)).toEqual({
    type: 'urn:modak:problem:not-found',
    title: 'Not found',
    status: 404,
    detail: 'No such resource',
    code: 'NOT_FOUND',
  });
  // The rule hides the path the api serves its metrics on: outside its global prefix, at the controller's path.
  const api = path.join(REPOSITORY, 'apps', 'api', 'src');
  const route = METRICS_PATH.slice(1);
  expect(readFileSync(path.join(api, 'metrics', 'metrics.controller.ts'), 'utf8')).toContain(`@Controller('${route}')`);
  expect(readFileSync(path.join(api, 'app.factory.ts'), 'utf8')).toContain(`{ path: '${route}', method: `);
});

test('HTTP on 80 only redirects, permanently, to HTTPS on 443', () => {
  expect(listeners.filter((listener) => listener.Port === 80)).toEqual([
    expect.objectContaining({
      Protocol: 'HTTP',
      DefaultActions: [
        { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
      ],
    }),
  ]);
  expect(listeners).toHaveLength(2);
});

test('an internet-facing dual-stack load balancer that drops invalid headers and logs access', () => {
  const { properties } = loadBalancer;
  expect(properties).toMatchObject({ Scheme: 'internet-facing', IpAddressType: 'dualstack' });
  expect(JSON.stringify(properties.Subnets)).toMatch(/publicSubnet1.*publicSubnet2/);
  const attributes = properties.LoadBalancerAttributes as { Key: string; Value: string }[];
  expect(attribute(attributes, 'routing.http.drop_invalid_header_fields.enabled')).toBe('true');
  expect(attribute(attributes, 'access_logs.s3.enabled')).toBe('true');
  template.hasResourceProperties('AWS::S3::Bucket', {
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
  });
});

test('the idle timeout stays below the app keep-alive timeout (65 s)', () => {
  const attributes = loadBalancer.properties.LoadBalancerAttributes as { Key: string; Value: string }[];
  expect(Number(attribute(attributes, 'idle_timeout.timeout_seconds'))).toBe(LOAD_BALANCER_IDLE_TIMEOUT.toSeconds());
  expect(LOAD_BALANCER_IDLE_TIMEOUT.toSeconds()).toBeLessThan(65);
});

test('the target group checks /health/ready and drains for about 30 s, as long as the api drains', () => {
  expect(targetGroup.properties).toMatchObject({
    TargetType: 'ip',
    Protocol: 'HTTP',
    Port: 3000,
    HealthCheckPath: '/health/ready',
    Matcher: { HttpCode: '200' },
    HealthCheckIntervalSeconds: 10,
    HealthyThresholdCount: 2,
    UnhealthyThresholdCount: 3,
  });
  const delay = Number(
    attribute(
      targetGroup.properties.TargetGroupAttributes as { Key: string; Value: string }[],
      'deregistration_delay.timeout_seconds',
    ),
  );
  expect(delay).toBe(30);
  expect(delay).toBe(DEREGISTRATION_DELAY.toSeconds());
  // Draining covers the api's readiness drain; the container is killed only after both.
  expect(delay).toBeGreaterThanOrEqual(SHUTDOWN_DRAIN.toSeconds());
  expect(STOP_TIMEOUT.toSeconds()).toBeGreaterThan(delay);
});

test('alias A and AAAA records of the API name point at the load balancer', () => {
  for (const type of ['A', 'AAAA']) {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: type,
      Name: 'api.modak.example.com.',
      HostedZoneId: 'Z0EXAMPLE0000000000000',
      AliasTarget: {
        DNSName: { 'Fn::Join': ['', ['dualstack.', { 'Fn::GetAtt': [loadBalancer.id, 'DNSName'] }]] },
        HostedZoneId: { 'Fn::GetAtt': [loadBalancer.id, 'CanonicalHostedZoneID'] },
      },
    });
  }
  template.resourceCountIs('AWS::Route53::RecordSet', 2);
  template.resourceCountIs('AWS::Route53::HostedZone', 0);
});
