import { createRedisClient, closeRedis, REDIS_CLIENT } from '@app/redis';
import { createTestDatabase } from '@app/testing';
import { UsersModule } from '@api/users';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AuthKeys } from '../../apps/api/src/auth/auth.keys.js';
import { AUTH_CONFIG } from '../../apps/api/src/auth/auth.config.js';
import {
  MAX_SESSIONS_PER_USER,
  REFRESH_ABSOLUTE_TTL_MS,
  REFRESH_IDLE_TTL_MS,
  REFRESH_REUSE_GRACE_MS,
} from '../../apps/api/src/auth/auth.constants.js';
import { RefreshTokenCodec } from '../../apps/api/src/auth/sessions/refresh-token.codec.js';
import { RevocationsStore } from '../../apps/api/src/auth/tokens/revocations.store.js';
import { SessionStore, type ClientInfo, type IssuedRefresh } from '../../apps/api/src/auth/sessions/session.store.js';
import { startMedium, type Medium } from './support/medium.js';

const DAY_MS = 24 * 3600 * 1000;
const CLIENT: ClientInfo = { ip: '203.0.113.7', network: '203.0.113.7', userAgent: 'medium-test' };

// The session scripts take their time from the caller (Date.now), not from Redis: the tests set that clock and leave
// every timer real, so Redis and its TTLs keep working.
const REAL_TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;

describe(SessionStore.name, () => {
  let medium: Medium;
  let store: SessionStore;
  let keys: AuthKeys;
  let redis: Redis;
  let codec: RefreshTokenCodec;
  let start: number;

  beforeAll(async () => {
    medium = await startMedium(await createTestDatabase(), (config) => ({
      imports: [UsersModule],
      providers: [{ provide: AUTH_CONFIG, useValue: config.auth }, AuthKeys, RevocationsStore, SessionStore],
    }));
    store = medium.module.get(SessionStore);
    keys = medium.module.get(AuthKeys);
    redis = medium.module.get(REDIS_CLIENT);
    codec = new RefreshTokenCodec(medium.config.auth.jwtSecret);
  });

  afterAll(() => medium?.close());

  beforeEach(() => {
    start = Date.now();
    jest.useFakeTimers({ now: start, doNotFake: [...REAL_TIMERS] });
  });

  afterEach(() => jest.useRealTimers());

  /** Sets the clock `ms` after the test's start. */
  const at = (ms: number) => jest.setSystemTime(start + ms);

  const signIn = async (userId: string): Promise<IssuedRefresh> => {
    const issued = await store.create(userId, CLIENT, await store.version(userId));
    if (!issued) throw new Error('no session created');
    return issued;
  };
  const rotated = async (token: string): Promise<string> => {
    const result = await store.rotate(token);
    if (result.kind !== 'rotated') throw new Error(`expected a rotation, got ${result.kind}`);
    return result.refreshToken;
  };
  const generationOf = async (sessionId: string) => redis.hget(keys.session(sessionId), 'generation');
  const sessionIds = async (userId: string) => (await store.list(userId)).map((session) => session.id);

  describe('rotation', () => {
    it('gives the parent, again within the grace window, the successor it got, and rotates nothing more', async () => {
      const { sessionId, refreshToken: first } = await signIn(randomUUID());
      const second = await rotated(first);
      expect(codec.parse(second)).toEqual({ sessionId, generation: 1 });

      at(REFRESH_REUSE_GRACE_MS);
      await expect(store.rotate(first)).resolves.toMatchObject({ kind: 'grace', sessionId, refreshToken: second });
      expect(await generationOf(sessionId)).toBe('1');
      // The successor handed out twice is still the one that rotates.
      expect(codec.parse(await rotated(second))).toEqual({ sessionId, generation: 2 });
    });

    it('takes the parent, a millisecond after the grace window, for reuse and ends its login', async () => {
      const userId = randomUUID();
      const { sessionId, refreshToken: first } = await signIn(userId);
      const second = await rotated(first);

      at(REFRESH_REUSE_GRACE_MS + 1);
      await expect(store.rotate(first)).resolves.toEqual({ kind: 'reused', sessionId, userId });
      expect(await redis.exists(keys.session(sessionId))).toBe(0);
      expect(await redis.zscore(keys.userSessions(userId), sessionId)).toBeNull();
      await expect(store.rotate(second)).resolves.toEqual({ kind: 'invalid' });
    });

    it("ends only the reused token's login: the user's other logins live on", async () => {
      const userId = randomUUID();
      const phone = await signIn(userId);
      const laptop = await signIn(userId);
      await rotated(await rotated(phone.refreshToken));

      await expect(store.rotate(phone.refreshToken)).resolves.toMatchObject({ kind: 'reused' });
      expect(await sessionIds(userId)).toEqual([laptop.sessionId]);
      await expect(store.rotate(laptop.refreshToken)).resolves.toMatchObject({ kind: 'rotated' });
    });

    it('refuses a genuine token of a generation not reached yet, or a sibling of the current one, and ends nothing', async () => {
      const { sessionId, refreshToken } = await signIn(randomUUID());
      const current = await rotated(refreshToken);

      for (const stranger of [codec.issue(sessionId, 5), codec.issue(sessionId, 1)]) {
        await expect(store.rotate(stranger)).resolves.toEqual({ kind: 'invalid' });
      }
      expect(await generationOf(sessionId)).toBe('1');
      await expect(store.rotate(current)).resolves.toMatchObject({ kind: 'rotated' });
    });

    it('answers a spent token of an ended login as invalid, not as reuse', async () => {
      const userId = randomUUID();
      const { sessionId, refreshToken } = await signIn(userId);
      await rotated(await rotated(refreshToken));
      expect(await store.revoke(userId, sessionId)).toBe(true);

      await expect(store.rotate(refreshToken)).resolves.toEqual({ kind: 'invalid' });
      await expect(store.rotate(codec.issue(randomUUID(), 0))).resolves.toEqual({ kind: 'invalid' });
    });

    it('rotates a token once among concurrent refreshes on two connections; every other one gets that successor', async () => {
      const other: Redis = createRedisClient(medium.config.redis, 'medium-other');
      try {
        await other.connect();
        const elsewhere = new SessionStore(other, keys, medium.config.auth);
        const { sessionId, refreshToken } = await signIn(randomUUID());

        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) => (i % 2 ? elsewhere : store).rotate(refreshToken)),
        );
        expect(results.filter((result) => result.kind === 'rotated')).toHaveLength(1);
        expect(results.filter((result) => result.kind === 'grace')).toHaveLength(15);
        const successors = new Set(results.map((result) => ('refreshToken' in result ? result.refreshToken : '')));
        expect(successors.size).toBe(1);
        expect(await generationOf(sessionId)).toBe('1');
        await expect(store.rotate([...successors][0])).resolves.toMatchObject({ kind: 'rotated' });
      } finally {
        await closeRedis(other);
      }
    });
  });

  describe('expiry', () => {
    it('keeps a session for the idle bound from its last use, and never past its absolute end', async () => {
      const { sessionId, refreshToken } = await signIn(randomUUID());
      const ttl = () => redis.pttl(keys.session(sessionId));
      expect(await ttl()).toBeGreaterThan(REFRESH_IDLE_TTL_MS - 60_000);

      // Days pass in Redis (the key's time runs down) and on the clock; a rotation starts the idle bound again.
      await redis.pexpire(keys.session(sessionId), 60_000);
      at(3 * DAY_MS);
      const renewed = await store.rotate(refreshToken);
      expect(renewed).toMatchObject({
        kind: 'rotated',
        refreshExpiresIn: (REFRESH_ABSOLUTE_TTL_MS - 3 * DAY_MS) / 1000,
      });
      expect(await ttl()).toBeGreaterThan(REFRESH_IDLE_TTL_MS - 60_000);

      // A minute before the absolute end, a rotation keeps the session for that minute only.
      at(REFRESH_ABSOLUTE_TTL_MS - 60_000);
      const last = await store.rotate((renewed as IssuedRefresh).refreshToken);
      expect(last).toMatchObject({ kind: 'rotated', refreshExpiresIn: 60 });
      expect(await ttl()).toBeLessThanOrEqual(60_000);
    });

    it("refuses a token at its login's absolute end and takes the session off the user's list", async () => {
      const userId = randomUUID();
      const old = await signIn(userId);
      at(DAY_MS);
      const newer = await signIn(userId);

      at(REFRESH_ABSOLUTE_TTL_MS);
      await expect(store.rotate(old.refreshToken)).resolves.toEqual({ kind: 'invalid' });
      expect(await redis.exists(keys.session(old.sessionId))).toBe(0);
      expect(await sessionIds(userId)).toEqual([newer.sessionId]);
    });
  });

  describe('creation', () => {
    it(`keeps a user's ${MAX_SESSIONS_PER_USER} newest logins: one more ends the oldest`, async () => {
      const userId = randomUUID();
      const logins: IssuedRefresh[] = [];
      for (let i = 0; i <= MAX_SESSIONS_PER_USER; i += 1) {
        at(i * 1_000);
        logins.push(await signIn(userId));
      }
      const [oldest, ...kept] = logins;
      expect(await sessionIds(userId)).toEqual(kept.map((login) => login.sessionId).reverse());
      await expect(store.rotate(oldest.refreshToken)).resolves.toEqual({ kind: 'invalid' });
      await expect(store.rotate(kept[0].refreshToken)).resolves.toMatchObject({ kind: 'rotated' });
    });

    it('counts no login that ended on its own toward the cap, and forgets it', async () => {
      const userId = randomUUID();
      const logins: IssuedRefresh[] = [];
      for (let i = 0; i < MAX_SESSIONS_PER_USER; i += 1) {
        at(i * 1_000);
        logins.push(await signIn(userId));
      }
      // One login's idle time runs out (Redis expires its key) while its id is still on the user's list.
      const idle = logins[4];
      await redis.pexpire(keys.session(idle.sessionId), 1);
      await new Promise((resolve) => setTimeout(resolve, 20));

      at(MAX_SESSIONS_PER_USER * 1_000);
      const latest = await signIn(userId);
      const live = await sessionIds(userId);
      expect(live).toHaveLength(MAX_SESSIONS_PER_USER);
      expect(live).toEqual(expect.arrayContaining([logins[0].sessionId, latest.sessionId]));
      expect(await redis.zscore(keys.userSessions(userId), idle.sessionId)).toBeNull();
    });

    it("creates nothing for a sign-in that read the user's version before a revocation", async () => {
      const userId = randomUUID();
      const version = await store.version(userId);
      await medium.module.get(RevocationsStore).revokeUser(userId);

      await expect(store.create(userId, CLIENT, version)).resolves.toBeUndefined();
      expect(await redis.exists(keys.userSessions(userId))).toBe(0);
      // A sign-in that reads the account after the revocation gets its session.
      await signIn(userId);
      expect(await sessionIds(userId)).toHaveLength(1);
    });
  });

  describe('revocation', () => {
    it('ends a session for its own user only: nobody else ends it by its id', async () => {
      const owner = randomUUID();
      const { sessionId, refreshToken } = await signIn(owner);

      expect(await store.revoke(randomUUID(), sessionId)).toBe(false);
      expect(await sessionIds(owner)).toEqual([sessionId]);
      expect(await store.revoke(owner, sessionId)).toBe(true);
      expect(await store.revoke(owner, sessionId)).toBe(false);
      await expect(store.rotate(refreshToken)).resolves.toEqual({ kind: 'invalid' });
    });

    it('ends every session but the one spared, counts them, and then that one too', async () => {
      const userId = randomUUID();
      const logins: IssuedRefresh[] = [];
      for (let i = 0; i < 3; i += 1) {
        at(i * 1_000);
        logins.push(await signIn(userId));
      }
      const [first, spared, third] = logins;

      expect(await store.revokeAll(userId, spared.sessionId)).toBe(2);
      expect(await sessionIds(userId)).toEqual([spared.sessionId]);
      for (const ended of [first, third]) {
        await expect(store.rotate(ended.refreshToken)).resolves.toEqual({ kind: 'invalid' });
      }
      expect(await store.revokeAll(userId)).toBe(1);
      expect(await sessionIds(userId)).toEqual([]);
    });
  });
});
