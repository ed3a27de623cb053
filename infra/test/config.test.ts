import { App } from 'aws-cdk-lib';
import { ConfigError, readConfig } from '../lib/config';
import { cdkJsonContext } from '../lib/modak';

const configWith = (context: Record<string, unknown>) =>
  readConfig(new App({ context: { ...cdkJsonContext(), ...context } }).node);

test("cdk.json's example context is a complete configuration with the default sizes", () => {
  const config = configWith({});
  expect(config).toMatchObject({
    account: '123456789012',
    region: 'ap-northeast-2',
    availabilityZones: ['ap-northeast-2a', 'ap-northeast-2c'],
    natGateways: 2,
    domainName: 'api.modak.example.com',
    hostedZoneName: 'modak.example.com',
    app: { corsOrigins: ['https://modak.example.com'], adminEmails: [], kakao: undefined },
    sizes: {
      apiCpu: 512,
      apiMemoryMiB: 1024,
      apiMinTasks: 2,
      apiMaxTasks: 6,
      dbInstanceType: 't4g.medium',
      cacheNodeType: 'cache.t4g.small',
    },
    logRetention: 30,
  });
});

test('values given with -c arrive as strings and are parsed', () => {
  const config = configWith({
    availabilityZones: 'ap-northeast-2a, ap-northeast-2b, ap-northeast-2c',
    natGateways: '1',
    apiMinTasks: '3',
    apiMaxTasks: '12',
    corsOrigins: 'https://modak.example.com,https://admin.modak.example.com',
    kakaoClientId: 'rest-api-key',
    kakaoRedirectUri: 'https://api.modak.example.com/api/v1/auth/kakao/callback',
    kakaoAppId: '1234567',
  });
  expect(config.availabilityZones).toEqual(['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c']);
  expect([config.natGateways, config.sizes.apiMinTasks, config.sizes.apiMaxTasks]).toEqual([1, 3, 12]);
  expect(config.app.corsOrigins).toEqual(['https://modak.example.com', 'https://admin.modak.example.com']);
  expect(config.app.kakao).toEqual({
    clientId: 'rest-api-key',
    redirectUri: 'https://api.modak.example.com/api/v1/auth/kakao/callback',
    appId: '1234567',
  });
});

test.each([
  [{ account: 'example' }, 'account'],
  [{ hostedZoneId: 'my-zone' }, 'hostedZoneId'],
  [{ domainName: 'api.elsewhere.example.org' }, 'domainName'],
  [{ availabilityZones: ['ap-northeast-2a'] }, 'availabilityZones'],
  [{ imageTag: 'not a tag' }, 'imageTag'],
  [{ imageTag: '' }, 'imageTag'],
  [{ apiMinTasks: 'two' }, 'apiMinTasks'],
  [{ apiMinTasks: 4, apiMaxTasks: 3 }, 'apiMaxTasks'],
  [{ logRetentionDays: 31 }, 'logRetentionDays'],
  [{ corsOrigins: 'https://modak.example.com/app' }, 'corsOrigins'],
  [{ kakaoClientId: 'rest-api-key' }, 'kakaoRedirectUri'],
])('%j is refused, naming %s', (context, key) => {
  expect(() => configWith(context)).toThrow(ConfigError);
  expect(() => configWith(context)).toThrow(`context "${key}"`);
});
