import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AUTH_PATH_PREFIX,
  KAKAO_UNLINK_PATH,
  RATE_LIMITS,
  RATE_WINDOW_SECONDS,
  WAF_LOG_GROUP,
} from '../lib/constructs/web-acl';
import { REPOSITORY } from './support/app-contract';
import { onlyResource, synthesize } from './support/modak';

const modak = synthesize();
const { edge: template } = modak.templates;
const acl = onlyResource(template, 'AWS::WAFv2::WebACL');
const loadBalancer = onlyResource(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');

interface Rule {
  Name: string;
  Priority: number;
  Action?: Record<string, any>;
  OverrideAction?: Record<string, unknown>;
  Statement: Record<string, any>;
  VisibilityConfig: { CloudWatchMetricsEnabled: boolean; SampledRequestsEnabled: boolean; MetricName: string };
}
const rules = acl.properties.Rules as Rule[];
const ruleNamed = (name: string) => {
  const rule = rules.find((candidate) => candidate.Name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
};
const readApp = (...parts: string[]) => readFileSync(path.join(REPOSITORY, ...parts), 'utf8');

/** A URI path match as the router reads the path: percent-decoded, `//`, `/./` and `/../` resolved. */
const pathMatch = (positionalConstraint: string, searchString: string) => ({
  ByteMatchStatement: {
    FieldToMatch: { UriPath: {} },
    PositionalConstraint: positionalConstraint,
    SearchString: searchString,
    TextTransformations: [
      { Priority: 0, Type: 'URL_DECODE' },
      { Priority: 1, Type: 'NORMALIZE_PATH' },
    ],
  },
});

test('a regional web ACL that allows by default, associated with the load balancer', () => {
  expect(acl.properties).toMatchObject({ Name: 'modak', Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
  template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
    ResourceArn: { Ref: loadBalancer.id },
    WebACLArn: { 'Fn::GetAtt': [acl.id, 'Arn'] },
  });
});

test('the rules, in order: IP reputation, the two rate limits, then the managed exploit rules', () => {
  expect([...rules].sort((a, b) => a.Priority - b.Priority).map((rule) => rule.Name)).toEqual([
    'AWSManagedRulesAmazonIpReputationList',
    'RateAll',
    'RateAuth',
    'AWSManagedRulesKnownBadInputsRuleSet',
    'AWSManagedRulesCommonRuleSet',
    'NoUserAgent',
  ]);
  expect(new Set(rules.map((rule) => rule.Priority)).size).toBe(rules.length);
});

test('CloudWatch metrics and sampled requests for the ACL and every rule, each under its own name', () => {
  const configs = [acl.properties.VisibilityConfig, ...rules.map((rule) => rule.VisibilityConfig)];
  expect(configs).toHaveLength(rules.length + 1);
  for (const config of configs) {
    expect(config).toEqual({
      CloudWatchMetricsEnabled: true,
      SampledRequestsEnabled: true,
      MetricName: expect.stringMatching(/^modak-/),
    });
  }
  expect(new Set(configs.map((config) => config.MetricName)).size).toBe(configs.length);
});

describe('rate limits per client address', () => {
  test('all requests: 3000 in 5 minutes per IP, then 429 with Retry-After', () => {
    expect(ruleNamed('RateAll')).toMatchObject({
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 3000, EvaluationWindowSec: 300 } },
      Action: {
        Block: {
          CustomResponse: {
            ResponseCode: 429,
            CustomResponseBodyKey: 'rate-limited',
            ResponseHeaders: [{ Name: 'Retry-After', Value: '300' }],
          },
        },
      },
    });
    expect(ruleNamed('RateAll').Statement.RateBasedStatement.ScopeDownStatement).toBeUndefined();
  });

  test("the sign-in routes: 600 in 5 minutes per IP, every /api/v1/auth/ path but Kakao's unlink callback", () => {
    const rule = ruleNamed('RateAuth');
    expect(rule.Statement).toEqual({
      RateBasedStatement: {
        AggregateKeyType: 'IP',
        Limit: 600,
        EvaluationWindowSec: 300,
        ScopeDownStatement: {
          AndStatement: {
            Statements: [
              pathMatch('STARTS_WITH', '/api/v1/auth/'),
              { NotStatement: { Statement: pathMatch('EXACTLY', '/api/v1/auth/kakao/unlink') } },
            ],
          },
        },
      },
    });
    expect(rule.Action).toEqual(ruleNamed('RateAll').Action);
    expect(RATE_LIMITS.auth).toBeLessThan(RATE_LIMITS.all);
  });

  test("a rate-limited call gets the api's own problem details for RATE_LIMITED", () => {
    const body = (acl.properties.CustomResponseBodies as Record<string, { ContentType: string; Content: string }>)[
      'rate-limited'
    ]!;
    expect(body.ContentType).toBe('APPLICATION_JSON');
    expect(JSON.parse(body.Content)).toEqual({
      type: 'urn:modak:problem:rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: expect.any(String),
      code: 'RATE_LIMITED',
    });
    // The code, its status and title as the app defines them (libs/core), and its problem type's shape.
    const codes = readApp('libs', 'core', 'src', 'errors', 'error-code.enum.ts');
    expect(codes).toContain("RateLimited = 'RATE_LIMITED'");
    expect(codes).toContain("[ErrorCode.RateLimited]: { status: 429, title: 'Too many requests' }");
    expect(readApp('libs', 'core', 'src', 'errors', 'problem.document.ts')).toContain('`urn:modak:problem:${code');
  });

  test("the edge's auth limit stays above all the app lets one address do on those routes in the same window", () => {
    // The per-IP limits' defaults: fixed windows that start with their first event (libs/redis), so a span of the
    // edge's window meets at most ceil(span / window) + 1 of them, each allowing `limit` calls.
    const config = readApp('apps', 'api', 'src', 'api.config.ts');
    const unit = { s: 1, m: 60, h: 3600 } as const;
    const perIp = [...config.matchAll(/RATE_LIMIT_(\w+)_IP: rateVar\('(\d+)\/(\d+)([smh])'\)/g)].map(
      ([, name, limit, amount, u]) => ({
        name: name!,
        most: Number(limit) * (Math.ceil(RATE_WINDOW_SECONDS / (Number(amount) * unit[u as keyof typeof unit])) + 1),
      }),
    );
    expect(perIp.map((limit) => limit.name).sort()).toEqual([
      'KAKAO',
      'LOGIN',
      'LOGIN_ACCOUNT',
      'RESEND',
      'SIGNUP',
      'VERIFY',
    ]);
    const most = perIp.reduce((sum, limit) => sum + limit.most, 0);
    expect(most).toBe(400);
    expect(RATE_LIMITS.auth).toBeGreaterThanOrEqual(most * 1.5);
  });

  test("the paths are the app's: its sign-in routes are under the prefix, and Kakao's callback is a GET route", () => {
    const openapi = JSON.parse(readApp('docs', 'openapi.json')) as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.keys(openapi.paths);
    for (const route of [
      'auth/login',
      'auth/signup',
      'auth/email/verify',
      'auth/email/resend',
      'auth/password/forgot',
      'auth/password/reset',
      'auth/refresh',
      'auth/kakao',
      'auth/kakao/callback',
    ]) {
      expect(paths).toContain(`/api/v1/${route}`);
    }
    expect(AUTH_PATH_PREFIX).toBe('/api/v1/auth/');
    expect(paths.filter((route) => route.startsWith(AUTH_PATH_PREFIX)).length).toBeGreaterThanOrEqual(10);
    expect(openapi.paths[KAKAO_UNLINK_PATH]).toHaveProperty('get');
  });
});

describe('AWS managed rule groups', () => {
  const groupOf = (name: string) => ruleNamed(name).Statement.ManagedRuleGroupStatement as Record<string, unknown>;

  test.each([
    'AWSManagedRulesAmazonIpReputationList',
    'AWSManagedRulesKnownBadInputsRuleSet',
    'AWSManagedRulesCommonRuleSet',
  ])('%s, with its own actions', (name) => {
    expect(groupOf(name)).toMatchObject({ VendorName: 'AWS', Name: name });
    expect(ruleNamed(name).OverrideAction).toEqual({ None: {} });
    expect(ruleNamed(name).Action).toBeUndefined();
  });

  test('only the common rules that refuse legitimate calls of this API are counted instead of blocking', () => {
    expect(groupOf('AWSManagedRulesCommonRuleSet').RuleActionOverrides).toEqual([
      { Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } },
      { Name: 'NoUserAgent_HEADER', ActionToUse: { Count: {} } },
    ]);
    for (const name of ['AWSManagedRulesAmazonIpReputationList', 'AWSManagedRulesKnownBadInputsRuleSet'])
      expect(groupOf(name).RuleActionOverrides).toBeUndefined();
  });

  test('SizeRestrictions_BODY would refuse a board of 20,000 characters, which the api accepts', () => {
    const limit = readApp('apps', 'api', 'src', 'api.config.ts').match(/BODY_LIMIT_BYTES: intVar\(([\d_ *]+),/)![1]!;
    const bodyLimit = limit.split('*').reduce((product, factor) => product * Number(factor.trim()), 1);
    expect(bodyLimit).toBe(100 * 1024);
    expect(readApp('apps', 'api', 'src', 'boards', 'dto', 'board.request.dto.ts')).toContain('@Length(1, 20_000)');
    // Korean text is 3 bytes a character in UTF-8: far above the rule's 8 KB, within the api's own bound.
    expect(20_000 * 3).toBeGreaterThan(8 * 1024);
    expect(20_000 * 3).toBeLessThan(bodyLimit);
  });

  test("a call without a User-Agent is still blocked, except Kakao's unlink callback", () => {
    const rule = ruleNamed('NoUserAgent');
    expect(rule.Priority).toBeGreaterThan(ruleNamed('AWSManagedRulesCommonRuleSet').Priority);
    expect(rule.Action).toEqual({ Block: {} });
    expect(rule.Statement).toEqual({
      AndStatement: {
        Statements: [
          { LabelMatchStatement: { Scope: 'LABEL', Key: 'awswaf:managed:aws:core-rule-set:NoUserAgent_Header' } },
          { NotStatement: { Statement: pathMatch('EXACTLY', KAKAO_UNLINK_PATH) } },
        ],
      },
    });
  });
});

describe('logging', () => {
  const logGroup = onlyResource(template, 'AWS::Logs::LogGroup');
  const logging = onlyResource(template, 'AWS::WAFv2::LoggingConfiguration');

  test("to a log group named aws-waf-logs-*, with the configured retention, kept like the tasks' logs", () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: WAF_LOG_GROUP, RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    expect(WAF_LOG_GROUP).toMatch(/^aws-waf-logs-/);
    // Encrypted by CloudWatch Logs itself, as every other log group of the app.
    expect(logGroup.properties.KmsKeyId).toBeUndefined();
    for (const other of [modak.templates.platform, modak.templates.network]) {
      for (const group of Object.values(other.findResources('AWS::Logs::LogGroup')))
        expect(group.Properties.KmsKeyId).toBeUndefined();
    }
  });

  test('of the ACL, into that group (its ARN without the trailing :*)', () => {
    expect(logging.properties.ResourceArn).toEqual({ 'Fn::GetAtt': [acl.id, 'Arn'] });
    expect(logging.properties.LogDestinationConfigs).toEqual([
      `arn:aws:logs:ap-northeast-2:123456789012:log-group:${WAF_LOG_GROUP}`,
    ]);
  });

  test('without the Authorization and Cookie headers', () => {
    expect(logging.properties.RedactedFields).toEqual([
      { SingleHeader: { Name: 'authorization' } },
      { SingleHeader: { Name: 'cookie' } },
    ]);
  });

  test('of the decisions only: blocked and counted requests (the access logs hold every request)', () => {
    expect(logging.properties.LoggingFilter).toEqual({
      DefaultBehavior: 'DROP',
      Filters: [
        {
          Behavior: 'KEEP',
          Requirement: 'MEETS_ANY',
          Conditions: [
            { ActionCondition: { Action: 'BLOCK' } },
            { ActionCondition: { Action: 'COUNT' } },
            { ActionCondition: { Action: 'EXCLUDED_AS_COUNT' } },
          ],
        },
      ],
    });
  });
});
