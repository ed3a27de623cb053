import { z } from 'zod';
import { ConfigError, coreEnv, intVar, listVar, parseEnv, urlVar, type EnvPiece } from './env.js';

const piece = {
  shape: {
    SERVICE_URL: urlVar('http', 'https'),
    CACHE_URL: urlVar('redis').default('redis://127.0.0.1:6379'),
    WORKERS: intVar(4, 1, 64),
    PEERS: listVar(urlVar('http')),
  },
  embeddedDefaults: ['CACHE_URL'],
} satisfies EnvPiece<z.ZodRawShape>;

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
