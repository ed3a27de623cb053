import { z } from 'zod';
import { describeEnv, envTable } from './env.docs.js';
import { ConfigError, coreEnv, envPiece, intVar, listVar, parseEnv, rateVar, urlVar } from './env.schema.js';

const piece = envPiece({
  shape: {
    SERVICE_URL: urlVar('http', 'https'),
    CACHE_URL: urlVar('redis').default('redis://127.0.0.1:6379'),
    WORKERS: intVar(4, 1, 64),
    PEERS: listVar(urlVar('http')),
  },
  embeddedDefaults: ['CACHE_URL'],
  docs: {
    SERVICE_URL: 'the service',
    CACHE_URL: 'the cache',
    WORKERS: 'how many',
    PEERS: 'the others',
  },
});

const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe(parseEnv.name, () => {
  it('applies defaults and parses types', () => {
    const env = parseEnv({ SERVICE_URL: 'https://api.example', PEERS: 'http://a, http://b,' }, coreEnv, piece);
    expect(env).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      SERVICE_URL: 'https://api.example',
      CACHE_URL: 'redis://127.0.0.1:6379',
      WORKERS: 4,
      PEERS: ['http://a', 'http://b'],
    });
  });

  it('names a missing variable', () => {
    const error = errorOf(() => parseEnv({}, coreEnv, piece));
    expect(error.variable).toBe('SERVICE_URL');
    expect(error.message).toBe('Invalid configuration: SERVICE_URL is required');
  });

  it('treats an empty string as unset', () => {
    expect(errorOf(() => parseEnv({ SERVICE_URL: '' }, piece)).message).toContain('SERVICE_URL is required');
  });

  it.each([
    ['SERVICE_URL', 'ftp://x', 'must be a http:// or https:// URL'],
    ['WORKERS', '0', 'WORKERS'],
    ['WORKERS', '2.5', 'must be an integer'],
    ['PEERS', 'http://ok,nope', 'PEERS'],
    ['NODE_ENV', 'staging', 'must be one of development, test, production'],
  ])('names a malformed %s in one line', (variable, value, fragment) => {
    const error = errorOf(() => parseEnv({ SERVICE_URL: 'http://x', [variable]: value }, coreEnv, piece));
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(fragment);
    expect(error.message).not.toContain('\n');
  });

  it('refuses embedded defaults in production, and accepts them once set', () => {
    const production = { NODE_ENV: 'production', SERVICE_URL: 'https://api.example' };
    expect(errorOf(() => parseEnv(production, coreEnv, piece)).variable).toBe('CACHE_URL');
    expect(parseEnv({ ...production, CACHE_URL: 'redis://cache:6379' }, coreEnv, piece).CACHE_URL).toBe(
      'redis://cache:6379',
    );
  });
});

describe(describeEnv.name, () => {
  const other = envPiece({
    shape: { WORKERS: intVar(4, 1, 64), SECRET: z.string().min(1).optional(), BURST: rateVar('10/1m') },
    docs: { WORKERS: 'how many', SECRET: 'a secret', BURST: { meaning: 'bursts', default: '`10/1m`' } },
  });

  it('shows each default as the schema applies it, marks what production must set, and merges the readers', () => {
    const rows = describeEnv([
      { process: 'api', pieces: [piece] },
      { process: 'worker', pieces: [other] },
    ]);
    expect(rows).toEqual([
      { name: 'SERVICE_URL', default: 'required', meaning: 'the service', usedBy: ['api'], requiredInProduction: true },
      {
        name: 'CACHE_URL',
        default: '`redis://127.0.0.1:6379` (_dev default_)',
        meaning: 'the cache',
        usedBy: ['api'],
        requiredInProduction: true,
      },
      { name: 'WORKERS', default: '`4`', meaning: 'how many', usedBy: ['api', 'worker'], requiredInProduction: false },
      { name: 'PEERS', default: 'empty', meaning: 'the others', usedBy: ['api'], requiredInProduction: false },
      { name: 'SECRET', default: 'unset', meaning: 'a secret', usedBy: ['worker'], requiredInProduction: false },
      { name: 'BURST', default: '`10/1m`', meaning: 'bursts', usedBy: ['worker'], requiredInProduction: false },
    ]);
    expect(envTable(rows).split('\n')[2]).toBe('| `SERVICE_URL` | required | api | the service |');
  });

  it('refuses a default it cannot show without words from the docs', () => {
    const bare = envPiece({ shape: { BURST: rateVar('10/1m') }, docs: { BURST: 'bursts' } });
    expect(() => describeEnv([{ process: 'api', pieces: [bare] }])).toThrow('BURST');
  });
});
