import { CountCache } from '@app/database';
import { closeRedis, createRedisClient, RedisKeys } from '@app/redis';
import { testStack } from '@app/testing';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Two caches over the real Redis, as two API instances: what one counts, the other uses.
describe(CountCache.name, () => {
  const FRESH_MS = 400;
  let redis: Redis[];
  let caches: CountCache[];
  let keys: RedisKeys;

  beforeAll(async () => {
    keys = new RedisKeys(`${testStack().redisKeyPrefix}:count-cache`);
    redis = [0, 1].map(() => createRedisClient({ url: testStack().redisUrl, keyPrefix: '' }, 'test'));
    await Promise.all(redis.map((client) => client.connect()));
    caches = redis.map((client) => new CountCache(client, keys, { freshMs: FRESH_MS }));
  });

  afterAll(async () => {
    await Promise.all(redis.map((client) => closeRedis(client)));
  });

  /** A count that takes `ms` and records each time it runs. */
  const slowCount = (value: () => number, ms = 50) => {
    const runs: number[] = [];
    const count = async () => {
      runs.push(Date.now());
      await sleep(ms);
      return value();
    };
    return { runs, count };
  };

  it('counts once for a stampede of 40 requests on two instances, and every request gets that count', async () => {
    const statement = `SELECT count(*) -- ${randomUUID()}`;
    const { runs, count } = slowCount(() => 1234);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => caches[i % 2].count(statement, count)));
    expect(runs).toHaveLength(1);
    expect(new Set(answers)).toEqual(new Set([1234]));
  });

  it('keeps answering with the last count while one request counts again after the window', async () => {
    const statement = `SELECT count(*) -- ${randomUUID()}`;
    let rows = 10;
    const { runs, count } = slowCount(() => rows, 100);
    await expect(caches[0].count(statement, count)).resolves.toBe(10);
    rows = 11;
    // Within the window: no count runs, whatever the table now holds.
    await expect(caches[1].count(statement, count)).resolves.toBe(10);
    expect(runs).toHaveLength(1);

    await sleep(FRESH_MS + 50);
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => caches[i % 2].count(statement, count)));
    // One request counted again (and waited for it); the others answered with the previous count without waiting.
    expect(runs).toHaveLength(2);
    expect(answers.filter((answer) => answer === 11)).toHaveLength(1);
    expect(answers.filter((answer) => answer === 10)).toHaveLength(9);
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(caches[1].count(statement, count)).resolves.toBe(11);
  });

  it('counts afresh for a caller that must see its own writes, and shares that count', async () => {
    const statement = `SELECT count(*) -- ${randomUUID()}`;
    let rows = 3;
    const { runs, count } = slowCount(() => rows);
    await caches[0].count(statement, count);
    rows = 4;
    await expect(caches[0].count(statement, count, true)).resolves.toBe(4);
    await expect(caches[1].count(statement, count)).resolves.toBe(4);
    expect(runs).toHaveLength(2);
  });

  it('counts for itself when Redis does not answer, without failing the request', async () => {
    const broken = createRedisClient({ url: 'redis://127.0.0.1:1', keyPrefix: '' }, 'test', {
      retryStrategy: () => null,
    });
    broken.on('error', () => undefined);
    const cache = new CountCache(broken, keys, { freshMs: FRESH_MS });
    const { runs, count } = slowCount(() => 7, 1);
    await expect(cache.count('SELECT 1', count)).resolves.toBe(7);
    await expect(cache.count('SELECT 1', count)).resolves.toBe(7);
    expect(runs).toHaveLength(2);
    broken.disconnect();
  });
});
