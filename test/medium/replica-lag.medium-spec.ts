import { REDIS_CLIENT, RedisKeys } from '@app/redis';
import { clusterDatabase, RedisServer, startMigratedCluster, type MigratedCluster } from '@app/testing';
import type { Redis } from 'ioredis';
import { eventually } from '../support/http.js';
import { probedHealth, readAs, readServedBy, startMedium, writeAs, type Medium } from './support/medium.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// A replica whose replay is paused: when it leaves rotation, and how a client's own writes keep it off a replica that
// has not replayed them (read-your-writes), with Redis there and away. This suite pauses replay, so it runs on a
// cluster of its own; each test's instances share a Redis namespace of their own, as one deployment's do.
describe('a replica behind the primary', () => {
  let stack: MigratedCluster;
  let redisServer: RedisServer;
  let namespace = 0;
  const started: Medium[] = [];

  beforeAll(async () => {
    [stack, redisServer] = await Promise.all([startMigratedCluster(), RedisServer.start()]);
  }, 60_000);

  afterAll(async () => {
    await redisServer?.stop();
    await stack?.cluster.destroy();
  });

  beforeEach(async () => {
    namespace += 1;
    await stack.cluster.waitForReplay();
  });

  afterEach(async () => {
    // Redis back first: an ioredis client closed while its server is away keeps a 2 s timer that holds the worker.
    await redisServer.start();
    await Promise.all(started.map((medium) => reconnected(medium)));
    await Promise.all(started.splice(0).map((medium) => medium.close()));
    await stack.cluster.resumeReplay();
  });

  /** An api instance of this test's deployment, in-process. */
  const instance = async (env: Record<string, string> = {}): Promise<Medium> => {
    const medium = await startMedium(clusterDatabase(stack, 'modak', `lag-${namespace}`), () => ({}), env);
    started.push(medium);
    return medium;
  };
  const onOwnRedis = () => instance({ REDIS_URL: redisServer.url });
  const redisOf = (medium: Medium) => medium.module.get<Redis>(REDIS_CLIENT);
  /** Until the instance's Redis client has reconnected. */
  const reconnected = (medium: Medium) => eventually(() => Promise.resolve(redisOf(medium).status === 'ready'));
  /**
   * Alice's write on `writer` while Redis is away (replay paused, so no replica has it); `meanwhile` runs before Redis
   * comes back, and `reader` is reconnected before this returns. Returns the written member's nickname.
   */
  const writeDuringOutage = async (writer: Medium, reader: Medium, meanwhile = () => Promise.resolve()) => {
    await stack.cluster.pauseReplay();
    await redisServer.stop();
    const nickname = await writeAs(writer.database, 'user:alice');
    await meanwhile();
    await redisServer.start();
    await reconnected(reader);
    return nickname;
  };
  const catchUp = async (...instances: Medium[]) => {
    await stack.cluster.resumeReplay();
    await stack.cluster.waitForReplay();
    await Promise.all(instances.map((medium) => probedHealth(medium.database)));
  };

  describe('lag judgement', () => {
    it('keeps a replica behind by less than the allowed lag, takes it out beyond, and back at the first probe once caught up', async () => {
      const { database } = await instance({ DATABASE_REPLICA_MAX_LAG_MS: '1000' });
      await stack.cluster.pauseReplay();
      const before = Date.now();
      const nickname = await writeAs(database);

      expect((await probedHealth(database)).replicas).toEqual([expect.objectContaining({ up: true, lagging: false })]);
      await expect(readAs(database, undefined, nickname)).resolves.toEqual({ node: 'replica', found: false });

      await eventually(async () => (await database.health()).replicas[0].lagging === true, 5_000, 20);
      expect(Date.now() - before).toBeGreaterThanOrEqual(1_000);
      expect((await database.health()).degraded).toBe(true);
      await expect(readAs(database, undefined, nickname)).resolves.toEqual({ node: 'primary', found: true });

      await catchUp();
      expect((await probedHealth(database)).replicas[0].lagging).toBe(false);
      await expect(readAs(database, undefined, nickname)).resolves.toEqual({ node: 'replica', found: true });
    });
  });

  describe('read-your-writes', () => {
    it('ends with the window: after it the author reads from the replica again, replayed or not', async () => {
      const { database } = await instance({ DATABASE_READ_YOUR_WRITES_WINDOW_MS: '1000' });
      await stack.cluster.pauseReplay();
      const nickname = await writeAs(database, 'user:alice');
      await expect(readAs(database, 'user:alice', nickname)).resolves.toEqual({ node: 'primary', found: true });
      await expect(readServedBy(database, 'user:bob')).resolves.toBe('replica');

      await sleep(1_100);
      await expect(readAs(database, 'user:alice', nickname)).resolves.toEqual({ node: 'replica', found: false });
    });

    it("keeps the latest of a client's positions whatever order they are recorded in, and renews the window", async () => {
      const medium = await instance();
      const redis = redisOf(medium);
      const key = medium.module.get(RedisKeys).key('db', 'last-write', 'user:alice');

      // An earlier position of Alice's is raised by her write...
      await redis.set(key, '0000000000000001', 'PX', 5_000);
      await writeAs(medium.database, 'user:alice');
      const written = await redis.get(key);
      expect(written! > '0000000000000001').toBe(true);
      // ...a later one, recorded first (by another instance), is kept, and lives for the whole window again.
      await redis.set(key, 'FFFFFFFF00000000', 'PX', 5_000);
      await writeAs(medium.database, 'user:alice');
      expect(await redis.get(key)).toBe('FFFFFFFF00000000');
      expect(await redis.pttl(key)).toBeGreaterThan(medium.config.database.readYourWritesWindowMs - 10_000);

      await catchUp(medium);
      await expect(readServedBy(medium.database, 'user:alice')).resolves.toBe('primary');
    });

    it('while Redis is away: a known client reads from the primary, an anonymous one from the replica, and writes go on', async () => {
      const { database } = await onOwnRedis();
      await redisServer.stop();
      await expect(readServedBy(database, 'user:bob')).resolves.toBe('primary');
      await expect(readServedBy(database)).resolves.toBe('replica');
      await expect(writeAs(database, 'user:alice')).resolves.toEqual(expect.any(String));
    });

    it('keeps the author of a write Redis could not record off the stale replica: on its instance, and through the shared floor on one that never lost Redis', async () => {
      const writer = await onOwnRedis();
      const nickname = await writeDuringOutage(writer, writer);
      await expect(readAs(writer.database, 'user:alice', nickname)).resolves.toEqual({ node: 'primary', found: true });

      // Started after the outage: it knows of the write only through the floor the writer raises once Redis answers,
      // which holds every known client to the write's position, and nobody else.
      const fresh = await onOwnRedis();
      await eventually(async () => (await readServedBy(fresh.database, 'user:alice')) === 'primary', 5_000);
      await expect(readAs(fresh.database, 'user:alice', nickname)).resolves.toEqual({ node: 'primary', found: true });
      await expect(readServedBy(fresh.database, 'user:carol')).resolves.toBe('primary');
      await expect(readServedBy(fresh.database)).resolves.toBe('replica');

      await catchUp(writer, fresh);
      for (const { database } of [writer, fresh]) {
        await expect(readAs(database, 'user:alice', nickname)).resolves.toEqual({ node: 'replica', found: true });
      }
    });

    it('holds known clients to the primary after an outage, on an instance that lost Redis, when the writer died before it could raise the floor', async () => {
      const reader = await onOwnRedis();
      const writer = await onOwnRedis();
      // The writer's database side stops while Redis is away (as its process would): the floor it could not raise goes
      // with it.
      const nickname = await writeDuringOutage(writer, reader, () => writer.database.stop());

      await expect(readAs(reader.database, 'user:alice', nickname)).resolves.toEqual({ node: 'primary', found: true });
      await expect(readServedBy(reader.database, 'user:dave')).resolves.toBe('primary');
      await expect(readServedBy(reader.database)).resolves.toBe('replica');

      await catchUp(reader);
      await expect(readAs(reader.database, 'user:alice', nickname)).resolves.toEqual({ node: 'replica', found: true });
    });
  });
});
