import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { IApplicationLoadBalancer } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Where the WAF counts the requests of one client, and over how long (seconds; WAF offers 60, 120, 300 or 600). */
export const RATE_WINDOW_SECONDS = 300;

/**
 * Requests per client IP address within {@link RATE_WINDOW_SECONDS} above which the edge blocks the address (429) until
 * its rate falls back under the limit.
 *
 * These only cut floods before they reach the api (an argon2id hash costs 19 MiB and tens of milliseconds); the app's
 * own limits (SECURITY.md, the RATE_LIMIT_* of apps/api/src/api.config.ts) stay the precise ones. They count an IPv6
 * client by its /64, count per account and per address too, answer with their own Retry-After, and let a device that
 * signed in before keep its allowance; WAF counts single addresses, a little late. So each edge limit sits above
 * everything the app lets one client do in the same window, and a client the app would still serve is never refused
 * here:
 *
 * - `auth` (`/api/v1/auth/...`): the app's per-IP limits (logins 50/15m, code checks 30/15m, signups and resends
 *   10/h each, Kakao sign-ins 30/1m, failed logins on one account 10/15m) let one address make at most 400 of these
 *   calls in any 5 minutes, their fixed windows meeting at their edges (250 in a steady 5 minutes). 600 leaves room
 *   for the refreshes, logouts and session lists, limited per session rather than per address, of the users behind
 *   one carrier or office NAT, and holds one source to 2 calls a second.
 * - `all`: 10 requests a second over 5 minutes from one address, far above what one person's SPA sends, and above
 *   the auth limit, so that a sign-in flood is cut by the auth rule.
 */
export const RATE_LIMITS = { all: 3000, auth: 600 } as const;

/** The path prefix of the sign-in routes (the api's global prefix and the auth controllers). */
export const AUTH_PATH_PREFIX = '/api/v1/auth/';
/**
 * Kakao's server calls it when a user disconnects the app (KAKAO.md): without a User-Agent as far as Kakao promises,
 * and in bursts from a few Kakao addresses when many users leave at once. It costs no hash (an admin key check).
 */
export const KAKAO_UNLINK_PATH = '/api/v1/auth/kakao/unlink';

/** The name of the WAF's log group: WAF delivers to CloudWatch Logs only into groups named `aws-waf-logs-*`. */
export const WAF_LOG_GROUP = 'aws-waf-logs-modak';

/**
 * The web ACL's metric name: AWS WAF publishes the ACL's metrics under it (dimension `WebACL`), not under the ACL's
 * name.
 */
export const WEB_ACL_METRIC_NAME = 'modak-web-acl';

/** The api's own answer to a rate-limited call (problem details, as for RATE_LIMITED), without a request id. */
const RATE_LIMITED_BODY = 'rate-limited';

export interface WebAclProps {
  loadBalancer: IApplicationLoadBalancer;
  logRetention: RetentionDays;
}

/**
 * The WAF in front of the load balancer: known-bad addresses (AWS's IP reputation list) first, then two rate limits
 * per client address (all requests; the sign-in routes), then AWS's managed rules for known bad inputs and the common
 * web exploits, with the two common rules that would refuse this API's legitimate calls counted instead. Blocks and
 * counts are logged to CloudWatch Logs, without the Authorization and Cookie headers; every rule has its metric.
 */
export class WebAcl extends Construct {
  readonly webAcl: CfnWebACL;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: true,
    });
    const path = (
      positionalConstraint: 'STARTS_WITH' | 'EXACTLY',
      searchString: string,
    ): CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint,
        searchString,
        // As the router reads the path: percent-decoded, and with `//`, `/./` and `/../` resolved, so that an encoded
        // or padded path cannot slip past the match.
        textTransformations: [
          { priority: 0, type: 'URL_DECODE' },
          { priority: 1, type: 'NORMALIZE_PATH' },
        ],
      },
    });
    const rateLimited: CfnWebACL.RuleActionProperty = {
      block: {
        customResponse: {
          responseCode: 429,
          customResponseBodyKey: RATE_LIMITED_BODY,
          responseHeaders: [{ name: 'Retry-After', value: String(RATE_WINDOW_SECONDS) }],
        },
      },
    };
    const managed = (
      priority: number,
      name: string,
      ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[],
    ): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
      visibilityConfig: visibility(`modak-${name}`),
    });
    const countOnly = (name: string): CfnWebACL.RuleActionOverrideProperty => ({ name, actionToUse: { count: {} } });

    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: 'modak',
      description: 'Modak api: IP reputation, per-IP rate limits, AWS managed rules',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(WEB_ACL_METRIC_NAME),
      customResponseBodies: {
        [RATE_LIMITED_BODY]: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            type: 'urn:modak:problem:rate-limited',
            title: 'Too many requests',
            status: 429,
            detail: 'Too many requests from this address; try again later',
            code: 'RATE_LIMITED',
          }),
        },
      },
      rules: [
        // Addresses AWS has seen in attacks, reconnaissance or DDoS: cheapest to drop first.
        managed(0, 'AWSManagedRulesAmazonIpReputationList'),
        {
          name: 'RateAll',
          priority: 1,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: RATE_LIMITS.all,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
            },
          },
          visibilityConfig: visibility('modak-rate-all'),
        },
        {
          name: 'RateAuth',
          priority: 2,
          action: rateLimited,
          statement: {
            rateBasedStatement: {
              aggregateKeyType: 'IP',
              limit: RATE_LIMITS.auth,
              evaluationWindowSec: RATE_WINDOW_SECONDS,
              // Kakao's unlink callback is left to the limit on all requests: Kakao's servers call it in bursts.
              scopeDownStatement: {
                andStatement: {
                  statements: [
                    path('STARTS_WITH', AUTH_PATH_PREFIX),
                    { notStatement: { statement: path('EXACTLY', KAKAO_UNLINK_PATH) } },
                  ],
                },
              },
            },
          },
          visibilityConfig: visibility('modak-rate-auth'),
        },
        managed(3, 'AWSManagedRulesKnownBadInputsRuleSet'),
        managed(4, 'AWSManagedRulesCommonRuleSet', [
          // It blocks bodies over 8 KB; a board or task takes up to 20,000 characters (60 KB of Korean in UTF-8), and
          // the api bounds bodies itself (BODY_LIMIT_BYTES, 100 KiB, and each field's length).
          countOnly('SizeRestrictions_BODY'),
          // It blocks calls without a User-Agent, which Kakao's unlink callback need not send: counted here, and
          // blocked by the next rule everywhere else.
          countOnly('NoUserAgent_HEADER'),
        ]),
        {
          name: 'NoUserAgent',
          priority: 5,
          action: { block: {} },
          statement: {
            andStatement: {
              statements: [
                {
                  labelMatchStatement: { scope: 'LABEL', key: 'awswaf:managed:aws:core-rule-set:NoUserAgent_Header' },
                },
                { notStatement: { statement: path('EXACTLY', KAKAO_UNLINK_PATH) } },
              ],
            },
          },
          visibilityConfig: visibility('modak-no-user-agent'),
        },
      ],
    });

    new CfnWebACLAssociation(this, 'LoadBalancer', {
      resourceArn: props.loadBalancer.loadBalancerArn,
      webAclArn: this.webAcl.attrArn,
    });

    // Like the other log groups: the configured retention, CloudWatch's own encryption.
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: WAF_LOG_GROUP,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // WAF takes the group's ARN without the `:*` that LogGroup.logGroupArn ends with, and adds the resource policy
    // that lets its log delivery write there.
    const logGroupArn = Stack.of(this).formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: WAF_LOG_GROUP,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const logging = new CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroupArn],
      // Tokens and cookies stay out of the logs.
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
      // The decisions only: the load balancer's access logs already hold every request.
      loggingFilter: {
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
      },
    });
    logging.node.addDependency(this.logGroup);
  }

  /**
   * A metric of the whole web ACL (`AllowedRequests`, `BlockedRequests`, `CountedRequests`), every rule together. Its
   * dimensions are plain values (the metric name and the region), so another stack may alarm on it without a
   * reference to this one.
   */
  metric(metricName: string, props: MetricOptions = {}): Metric {
    return new Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      dimensionsMap: { WebACL: WEB_ACL_METRIC_NAME, Region: Stack.of(this).region, Rule: 'ALL' },
      statistic: 'Sum',
      ...props,
    });
  }
}
