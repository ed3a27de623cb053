import { InjectRedis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  MAX_SESSIONS_PER_USER,
  REFRESH_ABSOLUTE_TTL_MS,
  REFRESH_IDLE_TTL_MS,
  REFRESH_REUSE_GRACE_MS,
} from '../auth.constants.js';
import { AuthKeys } from '../auth.keys.js';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { hashRefreshToken, openSuccessor, RefreshTokenCodec, sealSuccessor } from './refresh-token.codec.js';
import { CREATE_SCRIPT, REVOKE_SCRIPT, ROTATE_SCRIPT } from './session.scripts.js';

export interface ClientInfo {
  ip: string;
  /** What per-IP limits count: the IPv4 address, or the IPv6 /64 (`clientNetwork`). */
  network: string;
  userAgent: string;
}

export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  userAgent: string;
  ip: string;
}

export interface IssuedRefresh {
  sessionId: string;
  userId: string;
  refreshToken: string;
  /** Seconds until the session's absolute end. */
  refreshExpiresIn: number;
}

export type RotationResult =
  | ({ kind: 'rotated' | 'grace' } & IssuedRefresh)
  | { kind: 'invalid' }
  | { kind: 'reused'; sessionId: string; userId: string };

/**
 * Refresh-token sessions in Redis. A session is one login (a token family): Redis holds only the SHA-256 of its
 * current and previous token, with the user, the client and the times. Every change is one Lua script, so rotation is
 * atomic: two refreshes of one token can never both rotate it. Redis failures propagate (the problem filter answers
 * 503 DEPENDENCY_UNAVAILABLE).
 */
@Injectable()
export class SessionStore {
  private readonly tokens: RefreshTokenCodec;

  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: AuthKeys,
    @Inject(AUTH_CONFIG) config: AuthConfig,
  ) {
    this.tokens = new RefreshTokenCodec(config.jwtSecret);
  }

  /** Starts a session (a login); evicts the user's oldest sessions beyond the cap. */
  /** The user's version (`RevocationsStore.revokeUser` bumps it): read before the account, handed to `create`. */
  async version(userId: string): Promise<string> {
    return (await this.redis.get(this.keys.userVersion(userId))) ?? '';
  }

  /**
   * A new session for the user, unless the user's version is no longer `version` (a ban, role change or logout
   * everywhere happened since the account was read): then nothing is created and the result is undefined.
   */
  async create(userId: string, client: ClientInfo, version: string): Promise<IssuedRefresh | undefined> {
    const sessionId = randomUUID();
    const refreshToken = this.tokens.issue(sessionId, 0);
    const now = Date.now();
    const created = await this.redis.eval(
      CREATE_SCRIPT,
      3,
      this.keys.session(sessionId),
      this.keys.userSessions(userId),
      this.keys.userVersion(userId),
      sessionId,
      userId,
      now,
      now + REFRESH_ABSOLUTE_TTL_MS,
      REFRESH_IDLE_TTL_MS,
      client.userAgent.slice(0, 300),
      client.ip,
      hashRefreshToken(refreshToken),
      MAX_SESSIONS_PER_USER,
      this.keys.sessionPrefix,
      version,
    );
    if (created === 'stale') return undefined;
    return { sessionId, userId, refreshToken, refreshExpiresIn: Math.floor(REFRESH_ABSOLUTE_TTL_MS / 1000) };
  }

  /** The session a token names, when the token is one we issued and the session is alive; nothing is changed. */
  async peek(token: string): Promise<{ sessionId: string; userId: string } | undefined> {
    const parts = this.tokens.parse(token);
    if (!parts) return undefined;
    const userId = await this.redis.hget(this.keys.session(parts.sessionId), 'userId');
    return userId ? { sessionId: parts.sessionId, userId } : undefined;
  }

  /**
   * Exchanges a refresh token for its successor. The current token rotates; its immediate parent, presented again
   * within the grace window, gets the same successor; any other rotated token revokes the whole family.
   */
  async rotate(presented: string): Promise<RotationResult> {
    const parts = this.tokens.parse(presented);
    if (!parts) return { kind: 'invalid' };
    const { sessionId, generation } = parts;
    const successor = this.tokens.issue(sessionId, generation + 1);
    const now = Date.now();
    const reply = (await this.redis.eval(
      ROTATE_SCRIPT,
      1,
      this.keys.session(sessionId),
      now,
      hashRefreshToken(presented),
      generation,
      hashRefreshToken(successor),
      sealSuccessor(presented, successor),
      REFRESH_REUSE_GRACE_MS,
      REFRESH_IDLE_TTL_MS,
      this.keys.userSessionsPrefix,
    )) as string[];
    const [kind, userId = '', absolute = '0', sealed = ''] = reply;
    const refreshExpiresIn = Math.max(Math.floor((Number(absolute) - now) / 1000), 0);
    switch (kind) {
      case 'rotated':
        return { kind, sessionId, userId, refreshToken: successor, refreshExpiresIn };
      case 'grace':
        return { kind, sessionId, userId, refreshToken: openSuccessor(presented, sealed), refreshExpiresIn };
      case 'reused':
        return { kind, sessionId, userId };
      default:
        return { kind: 'invalid' };
    }
  }

  /** The user's live sessions, newest first. */
  async list(userId: string): Promise<Session[]> {
    const ids = await this.redis.zrevrange(this.keys.userSessions(userId), 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.session(id));
    const rows = (await pipeline.exec()) ?? [];
    return ids.flatMap((id, index) => {
      const hash = rows[index]?.[1] as Record<string, string> | undefined;
      if (!hash?.userId) return [];
      return [
        {
          id,
          userId: hash.userId,
          createdAt: new Date(Number(hash.createdAt)),
          lastUsedAt: new Date(Number(hash.lastUsedAt)),
          expiresAt: new Date(Number(hash.absoluteExpiresAt)),
          userAgent: hash.userAgent ?? '',
          ip: hash.ip ?? '',
        },
      ];
    });
  }

  /** Ends one session of the user; false when the user has no such session. */
  async revoke(userId: string, sessionId: string): Promise<boolean> {
    return (await this.revokeWhere(userId, sessionId)) > 0;
  }

  /** Ends every session of the user, or every one but `spare`; returns how many ended. */
  revokeAll(userId: string, spare = ''): Promise<number> {
    return this.revokeWhere(userId, '', spare);
  }

  private async revokeWhere(userId: string, sessionId: string, spare = ''): Promise<number> {
    return (await this.redis.eval(
      REVOKE_SCRIPT,
      1,
      this.keys.userSessions(userId),
      this.keys.sessionPrefix,
      sessionId,
      spare,
    )) as number;
  }
}
