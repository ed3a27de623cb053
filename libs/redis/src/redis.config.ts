import { envPiece, urlVar } from '@app/core';
import { z } from 'zod';

export const redisEnv = envPiece({
  shape: {
    REDIS_URL: urlVar('redis', 'rediss').default('redis://127.0.0.1:6379'),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[a-z0-9][a-z0-9:_-]{0,63}$/, 'must be lowercase letters, digits, ":", "_" or "-"')
      .default('modak'),
  },
  embeddedDefaults: ['REDIS_URL'],
  docs: {
    REDIS_URL: '`redis://` or `rediss://`',
    REDIS_KEY_PREFIX: 'every key is `<prefix>:<context>:...`',
  },
});

export interface RedisConfig {
  url: string;
  /** Every key starts with `<prefix>:`; tests give each run its own. */
  keyPrefix: string;
}

export const redisConfigFrom = (env: { REDIS_URL: string; REDIS_KEY_PREFIX: string }): RedisConfig => ({
  url: env.REDIS_URL,
  keyPrefix: env.REDIS_KEY_PREFIX,
});
