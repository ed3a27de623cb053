import { DependencyUnavailableError } from '@app/core';
import { InjectRedis } from '@app/redis';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AccessClaims } from './access-tokens.js';
import { ACCESS_TOKEN_TTL_S, CLOCK_LEEWAY_S } from './auth.constants.js';
import { AuthKeys } from './auth-keys.js';

/**
 * What makes a valid access token stop working before it expires: its `jti` on the denylist (logout), a per-user
 * revocation stamp newer than the token (ban, role change, logout everywhere), or its session gone. All three are read
 * from Redis in one round trip, never from the database.
 */
@Injectable()
export class Revocations {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: AuthKeys,
  ) {}

  /** True when the token must be refused. Redis being down is a 503: we cannot tell. */
  async isRevoked(claims: Pick<AccessClaims, 'jti' | 'sub' | 'sid' | 'iat'>): Promise<boolean> {
    let results: [Error | null, unknown][] | null;
    try {
      results = await this.redis
        .pipeline()
        .mget(this.keys.deniedJti(claims.jti), this.keys.userStamp(claims.sub))
        .exists(this.keys.session(claims.sid))
        .exec();
    } catch (error) {
      throw new DependencyUnavailableError('session store', error);
    }
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (!results || failure) throw new DependencyUnavailableError('session store', failure);
    const [denied, stamp] = results[0][1] as [string | null, string | null];
    const sessionExists = results[1][1] === 1;
    return denied !== null || (stamp !== null && claims.iat < Number(stamp)) || !sessionExists;
  }

  /** Ends one access token now (logout). */
  async deny(jti: string, exp: number): Promise<void> {
    const ttl = Math.max(exp - Math.floor(Date.now() / 1000) + CLOCK_LEEWAY_S, 1);
    await this.redis.set(this.keys.deniedJti(jti), '1', 'EX', ttl);
  }

  /** Ends every access token of the user issued before this second (ban, role change, logout everywhere). */
  async revokeUser(userId: string): Promise<void> {
    const stamp = Math.floor(Date.now() / 1000);
    await this.redis.set(this.keys.userStamp(userId), String(stamp), 'EX', ACCESS_TOKEN_TTL_S + 2 * CLOCK_LEEWAY_S);
  }
}
