import { closeRedis, createRedisClient, RedisKeys } from '@app/redis';
import { testStack } from '@app/testing';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AuthKeys } from '../apps/api/src/auth/auth.keys.js';
import type { AuthConfig } from '../apps/api/src/auth/auth.config.js';
import {
  EMAIL_CODE_MAX_ATTEMPTS,
  EMAIL_CODE_MAX_DAILY_TRIES,
  EMAIL_CODE_MAX_LIVE,
} from '../apps/api/src/auth/auth.constants.js';
import { EmailCodeStore, type CodeCheck } from '../apps/api/src/auth/email/email-code.store.js';

// The codes of one address on the real Redis, without HTTP (and so without the per-address request limit in front).
describe(EmailCodeStore.name, () => {
  let redis: Redis;
  let codes: EmailCodeStore;

  beforeAll(async () => {
    redis = createRedisClient({ url: testStack().redisUrl, keyPrefix: '' }, 'test');
    await redis.connect();
    const keys = new AuthKeys(new RedisKeys(`${testStack().redisKeyPrefix}:email-codes`));
    codes = new EmailCodeStore(redis, keys, { jwtSecret: randomUUID() } as AuthConfig);
  });

  afterAll(async () => {
    await closeRedis(redis);
  });

  const address = () => `${randomUUID()}@example.com`;
  const wrongFor = (...live: string[]) => {
    let guess = Number(live[0]);
    do guess = (guess + 1) % 1_000_000;
    while (live.includes(String(guess).padStart(6, '0')));
    return String(guess).padStart(6, '0');
  };
  const issued = async (email: string): Promise<string> => {
    const code = await codes.issue('verify', email);
    if (code === undefined) throw new Error('no code was issued');
    return code;
  };
  /** Checks and, on a match, consumes: 'valid', or why not. */
  const prove = async (email: string, code: string): Promise<Exclude<CodeCheck, object> | 'valid'> => {
    const check = await codes.check('verify', email, code);
    if (typeof check === 'string') return check;
    return (await codes.consume('verify', email, check)) ? 'valid' : 'missing';
  };

  it('takes the right code once, and kills a code after its wrong tries', async () => {
    const email = address();
    const code = await issued(email);
    await expect(prove(email, wrongFor(code))).resolves.toBe('wrong');
    await expect(prove(email.toUpperCase(), code)).resolves.toBe('valid');
    await expect(prove(email, code)).resolves.toBe('missing');

    const next = await issued(email);
    for (let i = 0; i < EMAIL_CODE_MAX_ATTEMPTS; i += 1)
      await expect(prove(email, wrongFor(next))).resolves.toBe('wrong');
    await expect(prove(email, next)).resolves.toBe('exhausted');
    await expect(prove(email, next)).resolves.toBe('missing');
  });

  it('keeps a live code when another is sent, up to a few, and a proof uses them all up', async () => {
    const email = address();
    const sent: string[] = [];
    for (let i = 0; i < EMAIL_CODE_MAX_LIVE; i += 1) sent.push(await issued(email));
    // No more while these live: a new one would have to push one out.
    await expect(codes.issue('verify', email)).resolves.toBeUndefined();
    const first = await codes.check('verify', email, sent[0]);
    const last = await codes.check('verify', email, sent[EMAIL_CODE_MAX_LIVE - 1]);
    expect(first).toEqual({ id: expect.any(String) });
    expect(last).toEqual({ id: expect.any(String) });
    expect(first).not.toEqual(last);
    // A match is only a match until it is consumed: the first consumer wins, and every code of the address goes.
    await expect(codes.consume('verify', email, last as { id: string })).resolves.toBe(true);
    await expect(codes.consume('verify', email, first as { id: string })).resolves.toBe(false);
    await expect(prove(email, sent[1])).resolves.toBe('missing');
    await expect(issued(email)).resolves.toMatch(/^\d{6}$/);
  });

  it('counts a guess against every live code it is compared with: twenty a day, however many codes', async () => {
    const email = address();
    let compared = 0;
    let live: string[] = [];
    let guesses = 0;
    for (;;) {
      if (live.length === 0 || guesses === EMAIL_CODE_MAX_ATTEMPTS) {
        live = [];
        for (let i = 0; i < EMAIL_CODE_MAX_LIVE; i += 1) live.push(await issued(email));
        guesses = 0;
      }
      if (compared + live.length > EMAIL_CODE_MAX_DAILY_TRIES) break;
      await expect(prove(email, wrongFor(...live))).resolves.toBe('wrong');
      compared += live.length;
      guesses += 1;
    }
    // The day is used up: a right code dies unused.
    await expect(prove(email, live[0])).resolves.toBe('exhausted');
    await expect(prove(email, live[1])).resolves.toBe('missing');
    // Another address is not affected.
    const other = address();
    await expect(prove(other, await issued(other))).resolves.toBe('valid');
  });

  it('does not count a right code against the day', async () => {
    const email = address();
    for (let i = 0; i < EMAIL_CODE_MAX_DAILY_TRIES - 1; i += 1) {
      await expect(prove(email, await issued(email))).resolves.toBe('valid');
    }
    const code = await issued(email);
    await expect(prove(email, wrongFor(code))).resolves.toBe('wrong');
    await expect(prove(email, code)).resolves.toBe('valid');
  });
});
