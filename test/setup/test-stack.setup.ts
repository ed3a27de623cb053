import { deleteKeysUnder, redisAnswers } from '@app/redis';
import {
  asRole,
  RedisServer,
  startMigratedCluster,
  TEST_APP_ROLE,
  TEST_STACK_VARIABLE,
  type TestStack,
} from '@app/testing';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

const TEMPLATE = 'modak_template';

/**
 * The shared stack of one jest run; suites copy the template database (see createTestDatabase). Every project of the
 * run that needs it calls this; the first one starts it.
 */
export async function startTestStack(): Promise<void> {
  if ((globalThis as { stopModakTestStack?: unknown }).stopModakTestStack) return;
  if (!process.env.TEST_LOG_LEVEL) Logger.overrideLogger(false);
  // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- an empty REDIS_URL also means unset
  let redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  // No Redis there: the run starts one of its own (in memory), as suites that take Redis away already do.
  let ownRedis: RedisServer | undefined;
  if (!(await redisAnswers(redisUrl))) {
    if (!RedisServer.installed()) {
      throw new Error(
        `the tests need Redis at ${redisUrl} or redis-server on the PATH (Debian or Ubuntu: apt-get install -y ` +
          'redis-server; macOS: brew install redis), or REDIS_URL set to a Redis',
      );
    }
    ownRedis = await RedisServer.start();
    redisUrl = ownRedis.url;
  }
  const { cluster, dir } = await startMigratedCluster(TEMPLATE);
  const stack: TestStack = {
    primaryUrl: asRole(cluster.primaryUrl, TEST_APP_ROLE),
    replicaUrl: asRole(cluster.replicaUrl, TEST_APP_ROLE),
    ownerUrl: cluster.primaryUrl,
    clusterDir: dir,
    redisUrl,
    redisKeyPrefix: `modak-e2e-${randomBytes(4).toString('hex')}`,
    templateDatabase: TEMPLATE,
  };
  process.env[TEST_STACK_VARIABLE] = JSON.stringify(stack);
  (globalThis as { stopModakTestStack?: () => Promise<void> }).stopModakTestStack = async () => {
    delete (globalThis as { stopModakTestStack?: unknown }).stopModakTestStack;
    await deleteKeysUnder(redisUrl, stack.redisKeyPrefix);
    await ownRedis?.stop('SIGTERM');
    await cluster.destroy();
  };
}
