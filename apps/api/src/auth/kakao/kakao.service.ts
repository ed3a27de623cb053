import { DependencyUnavailableError, isDependencyFailure, NotFoundError, Role } from '@app/core';
import { isUniqueViolation, type UserEntity } from '@app/database';
import { RateLimiter } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import { UsersService } from '@api/users';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { accountBanned, emailTaken, kakaoEmailLinkedElsewhere, kakaoRejected, rateLimited } from '../auth.errors.js';
import { AuthService, type SignedIn } from '../auth.service.js';
import type { ClientInfo } from '../sessions/session.store.js';
import { KAKAO_DEFAULT_NICKNAME } from './kakao.constants.js';
import { KakaoOAuthClient, type KakaoProfile } from './kakao-oauth.client.js';
import { KakaoOAuthService, type KakaoRawQuery } from './kakao-oauth.service.js';
import type { KakaoPendingSignIn } from './kakao-sign-in.codec.js';

const NICKNAME_MAX = 50;
const EMAIL_MAX = 254;

/**
 * The rules of signing in with Kakao: which Modak account a Kakao user is (by Kakao id; else the account of an email
 * Kakao vouches for; else a new one), and whether a Kakao SDK token may be trusted at all.
 */
@Injectable()
export class KakaoService {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly kakao: KakaoOAuthClient,
    private readonly oauth: KakaoOAuthService,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly limiter: RateLimiter,
  ) {}

  /**
   * Finishes a browser sign-in: counts the attempt, checks Kakao's redirect (`query`) against this browser's pending
   * sign-in and exchanges the code (KakaoOAuthService), then signs in the user Kakao vouched for. Also yields the SPA
   * path the sign-in started for.
   */
  async signInWithCallback(
    query: KakaoRawQuery,
    pending: KakaoPendingSignIn | undefined,
    client: ClientInfo,
  ): Promise<{ signedIn: SignedIn; redirect: string }> {
    await this.throttle(client.network);
    const { profile, redirect } = await this.oauth.complete(query, pending);
    return { signedIn: await this.signIn(profile, client), redirect };
  }

  /**
   * Signs in with an access token from a Kakao SDK. Any Kakao app's token answers `/v2/user/me`, so the token must
   * first prove that it was issued to our app, and `/v2/user/me` must then name the same user.
   */
  async signInWithAccessToken(accessToken: string, client: ClientInfo): Promise<SignedIn> {
    await this.throttle(client.network);
    const info = await this.kakao.accessTokenInfo(accessToken);
    if (info.appId !== this.config.kakao?.appId) throw kakaoRejected('This Kakao token was issued to another app');
    const profile = await this.kakao.me(accessToken);
    if (profile.id !== info.id) throw kakaoRejected('Kakao named another user for this token');
    return this.signIn(profile, client);
  }

  /** Counts a Kakao sign-in attempt from `ip` (every attempt costs calls to Kakao); 429 past the limit. */
  private async throttle(ip: string): Promise<void> {
    let exceeded: boolean;
    let resetMs: number;
    try {
      ({ exceeded, resetMs } = await this.limiter.hit('kakao-ip', ip, this.config.rateLimits.kakaoIp));
    } catch (error) {
      if (isDependencyFailure(error)) throw new DependencyUnavailableError('rate limiter', error);
      throw error;
    }
    if (exceeded) throw rateLimited(resetMs);
  }

  /** Signs in the Kakao user Kakao has just vouched for, creating or linking their account on first sight. */
  private async signIn(profile: KakaoProfile, client: ClientInfo): Promise<SignedIn> {
    const user = await this.accountOf(profile);
    if (user.bannedAt) throw accountBanned();
    return this.auth.signIn(user, client);
  }

  private async accountOf(profile: KakaoProfile): Promise<UserEntity> {
    const known = await this.users.findByKakaoIdForAccess(profile.id);
    if (known) return known;
    const email = trustedEmailOf(profile);
    const owner = email ? await this.users.findByEmailForAccess(email) : null;
    if (!owner) return this.create(profile, email);
    if (owner.bannedAt) return owner;
    if (owner.kakaoId !== null) throw kakaoEmailLinkedElsewhere();
    return this.link(owner, profile.id);
  }

  /**
   * Links the account of the email Kakao vouched for. Every account with an email has proven it (signups wait outside
   * `users` until then), so the address's owner is who Kakao says.
   */
  private async link(owner: UserEntity, kakaoId: string): Promise<UserEntity> {
    const linked = await this.users.update(owner.id, { kakaoId });
    if (!linked) throw new NotFoundError('User');
    return linked;
  }

  private async create(profile: KakaoProfile, email: string | undefined): Promise<UserEntity> {
    try {
      return await this.users.create({
        email: email ?? null,
        passwordHash: null,
        nickname: nicknameOf(profile),
        role: email && this.config.adminEmails.includes(email.toLowerCase()) ? Role.Admin : Role.User,
        emailVerifiedAt: email ? new Date() : null,
        kakaoId: profile.id,
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A concurrent first sign-in of the same Kakao user created the account first; otherwise the email was taken.
      const winner = await this.users.findByKakaoIdForAccess(profile.id);
      if (!winner) throw emailTaken();
      return winner;
    }
  }
}

/** The email, only when Kakao says it is valid and verified (and it fits the column). */
function trustedEmailOf({ email, isEmailValid, isEmailVerified }: KakaoProfile): string | undefined {
  return isEmailValid && isEmailVerified && email !== undefined && email.length <= EMAIL_MAX ? email : undefined;
}

function nicknameOf(profile: KakaoProfile): string {
  const nickname = profile.nickname?.trim() ?? KAKAO_DEFAULT_NICKNAME;
  return Array.from(nickname).slice(0, NICKNAME_MAX).join('');
}
