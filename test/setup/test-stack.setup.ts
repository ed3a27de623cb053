import { redisAnswers } from '@app/redis';
import { startMigratedCluster, TEST_STACK_VARIABLE, type TestStack } from '@app/testing';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';

const TEMPLATE = 'modak_template';

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The shared stack of one jest run; suites copy the template database (see createTestDatabase). Every project of the
 * run that needs it calls this; the first one starts it.
 */
export async function startTestStack(): Promise<void> {
  if ((globalThis as { stopModakTestStack?: unknown }).stopModakTestStack) return;
  if (!process.env.TEST_LOG_LEVEL) Logger.overrideLogger(false);
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- an empty REDIS_URL also means unset
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) {
    throw new Error(
      `the e2e tests need Redis at ${redisUrl} (set REDIS_URL, or start one: redis-server --daemonize yes)`,
    );
  }
  const { cluster, dir } = await startMigratedCluster(TEMPLATE);
  const stack: TestStack = {
    primaryUrl: cluster.primaryUrl,
    replicaUrl: cluster.replicaUrl,
    clusterDir: dir,
    redisUrl,
    redisKeyPrefix: `modak-e2e-${randomBytes(4).toString('hex')}`,
    templateDatabase: TEMPLATE,
  };
  process.env[TEST_STACK_VARIABLE] = JSON.stringify(stack);
  (globalThis as { stopModakTestStack?: () => Promise<void> }).stopModakTestStack = async () => {
    delete (globalThis as { stopModakTestStack?: unknown }).stopModakTestStack;
    await deleteKeys(redisUrl, stack.redisKeyPrefix);
    await cluster.destroy();
  };
}
