import { InjectRedis } from '@app/redis';
import { Injectable, Logger } from '@nestjs/common';
import type { ChainableCommander, Redis } from 'ioredis';
import { UsersService } from '@api/users';
import type { AccessClaims } from './access-token.signer.js';
import { ACCESS_TOKEN_TTL_S, CLOCK_LEEWAY_S } from '../auth.constants.js';
import { AuthKeys } from '../auth.keys.js';

const FALLBACK_WARNING_INTERVAL_MS = 10_000;
/** Longer than any sign-in takes between reading the account and creating its session. */
const USER_VERSION_TTL_MS = 60 * 60 * 1000;

type RevocationClaims = Pick<AccessClaims, 'jti' | 'sub' | 'sid' | 'iat' | 'role'>;

/**
 * What makes a valid access token stop working before it expires: its `jti` on the denylist (logout), a per-user
 * revocation stamp newer than the token (ban, role change, logout everywhere), or its session gone (or another user's).
 * All three are read from Redis in one round trip, never from the database.
 *
 * While Redis is unreachable the account itself is checked on the primary instead: a banned or deleted user, or a
 * token whose role is no longer the user's, or of a closed account, is still refused. What only Redis knows (a logout, a logout everywhere)
 * is not, until Redis answers again; access tokens live 15 minutes, which bounds that window. Signed-in work keeps
 * going through a Redis outage, as the outbox does; admin routes do not accept that trade-off (`AccessGuard`).
 */
@Injectable()
export class RevocationsStore {
  private readonly logger = new Logger(RevocationsStore.name);
  private lastFallbackWarning = 0;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: AuthKeys,
    private readonly users: UsersService,
  ) {}

  /**
   * Whether the token must be refused (`revoked`), or may pass: `valid` when the session store said so, or
   * `valid-by-account` when it could not be asked and only the account was checked.
   */
  async check(claims: RevocationClaims): Promise<'revoked' | 'valid' | 'valid-by-account'> {
    let results: [Error | null, unknown][] | null;
    try {
      results = await this.redis
        .pipeline()
        .mget(this.keys.deniedJti(claims.jti), this.keys.userStamp(claims.sub))
        .hget(this.keys.session(claims.sid), 'userId')
        .exec();
    } catch (error) {
      return this.checkAccount(claims, error);
    }
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (!results || failure) return this.checkAccount(claims, failure);
    const [denied, stamp] = results[0][1] as [string | null, string | null];
    // The session must still exist and be the token's own user's.
    const sessionOfUser = results[1][1] === claims.sub;
    return denied !== null || (stamp !== null && claims.iat < Number(stamp)) || !sessionOfUser ? 'revoked' : 'valid';
  }

  private async checkAccount(claims: RevocationClaims, cause: unknown): Promise<'revoked' | 'valid-by-account'> {
    const now = Date.now();
    if (now - this.lastFallbackWarning >= FALLBACK_WARNING_INTERVAL_MS) {
      this.lastFallbackWarning = now;
      const reason = cause instanceof Error ? cause.message : 'no answer';
      this.logger.warn(`session store unreachable (${reason}): access tokens are checked against the account only`);
    }
    // A database failure here is a 503 DEPENDENCY_UNAVAILABLE, like any other.
    const user = await this.users.findByIdForAccess(claims.sub);
    return user?.bannedAt === null && user.closedAt === null && user.role === claims.role
      ? 'valid-by-account'
      : 'revoked';
  }

  /** Ends one access token now (logout). */
  async deny(jti: string, exp: number): Promise<void> {
    const ttl = Math.max(exp - Math.floor(Date.now() / 1000) + CLOCK_LEEWAY_S, 1);
    await this.redis.set(this.keys.deniedJti(jti), '1', 'EX', ttl);
  }

  /**
   * Ends every access token of the user issued before this second (ban, role change, logout everywhere), and bumps the
   * user's version, so that a sign-in that read the account before this cannot create its session (`SessionStore`).
   */
  async revokeUser(userId: string): Promise<void> {
    const stamp = Math.floor(Date.now() / 1000);
    await this.bump(
      userId,
      this.redis.multi().set(this.keys.userStamp(userId), String(stamp), 'EX', ACCESS_TOKEN_TTL_S + 2 * CLOCK_LEEWAY_S),
    ).exec();
  }

  /**
   * Bumps the user's version only: a sign-in that read the account before this cannot create its session, while the
   * tokens issued so far stay valid (a password change ends the other sessions itself and keeps the caller's).
   */
  async turnBackSignIns(userId: string): Promise<void> {
    await this.bump(userId, this.redis.multi()).exec();
  }

  private bump(userId: string, transaction: ChainableCommander): ChainableCommander {
    const version = this.keys.userVersion(userId);
    return transaction.incr(version).pexpire(version, USER_VERSION_TTL_MS);
  }
}
