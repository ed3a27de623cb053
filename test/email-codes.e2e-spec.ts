import { closeRedis, createRedisClient, RedisKeys } from '@app/redis';
import { testStack } from '@app/testing';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AuthKeys } from '../apps/api/src/auth/auth-keys.js';
import type { AuthConfig } from '../apps/api/src/auth/auth.config.js';
import { EMAIL_CODE_MAX_ATTEMPTS, EMAIL_CODE_MAX_DAILY_TRIES } from '../apps/api/src/auth/auth.constants.js';
import { EmailCodes } from '../apps/api/src/auth/email-codes.js';

// The codes of one address on the real Redis, without HTTP (and so without the per-address request limit in front).
describe(EmailCodes.name, () => {
  let redis: Redis;
  let codes: EmailCodes;

  beforeAll(async () => {
    redis = createRedisClient({ url: testStack().redisUrl, keyPrefix: '' }, 'test');
    await redis.connect();
    const keys = new AuthKeys(new RedisKeys(`${testStack().redisKeyPrefix}:email-codes`));
    codes = new EmailCodes(redis, keys, { jwtSecret: randomUUID() } as AuthConfig);
  });

  afterAll(async () => {
    await closeRedis(redis);
  });

  const address = () => `${randomUUID()}@example.com`;
  const wrongFor = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('takes the right code once, and kills a code after its wrong tries', async () => {
    const email = address();
    const code = await codes.issue(email);
    await expect(codes.check(email, wrongFor(code))).resolves.toBe('wrong');
    await expect(codes.check(email.toUpperCase(), code)).resolves.toBe('valid');
    await expect(codes.check(email, code)).resolves.toBe('missing');

    const next = await codes.issue(email);
    for (let i = 1; i < EMAIL_CODE_MAX_ATTEMPTS; i += 1)
      await expect(codes.check(email, wrongFor(next))).resolves.toBe('wrong');
    await expect(codes.check(email, wrongFor(next))).resolves.toBe('exhausted');
    await expect(codes.check(email, next)).resolves.toBe('missing');
  });

  it('gives an address twenty wrong tries a day across its codes, however many codes it is sent', async () => {
    const email = address();
    let tries = 0;
    while (tries < EMAIL_CODE_MAX_DAILY_TRIES) {
      const code = await codes.issue(email);
      for (let i = 0; i < EMAIL_CODE_MAX_ATTEMPTS - 1 && tries < EMAIL_CODE_MAX_DAILY_TRIES; i += 1, tries += 1) {
        await expect(codes.check(email, wrongFor(code))).resolves.toBe('wrong');
      }
    }
    // A fresh code, and the right one: the day is used up, so the code dies unused.
    const fresh = await codes.issue(email);
    await expect(codes.check(email, fresh)).resolves.toBe('exhausted');
    await expect(codes.check(email, fresh)).resolves.toBe('missing');
    // Another address is not affected.
    const other = address();
    await expect(codes.check(other, await codes.issue(other))).resolves.toBe('valid');
  });

  it('does not count a right code against the day', async () => {
    const email = address();
    for (let i = 0; i < EMAIL_CODE_MAX_DAILY_TRIES - 1; i += 1) {
      const code = await codes.issue(email);
      await expect(codes.check(email, code)).resolves.toBe('valid');
    }
    const code = await codes.issue(email);
    await expect(codes.check(email, wrongFor(code))).resolves.toBe('wrong');
    await expect(codes.check(email, code)).resolves.toBe('valid');
  });
});
