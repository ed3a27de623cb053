import { DependencyUnavailableError, requestContext, type AuthUser } from '@app/core';
import { Database, isUniqueViolation, Role, type UserEntity } from '@app/database';
import { MailQueue } from '@app/queue';
import { RateLimiter, type RateLimit } from '@app/redis';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { UsersRepository } from '@api/users';
import { AccessTokens } from './access-tokens.js';
import { addressDigest } from './auth-keys.js';
import { AUTH_CONFIG, type AuthConfig } from './auth.config.js';
import {
  accountBanned,
  commonPassword,
  emailNotVerified,
  emailTaken,
  invalidCode,
  invalidCredentials,
  invalidRefreshToken,
  rateLimited,
  refreshTokenReused,
} from './auth.errors.js';
import { verificationMail } from './auth.mails.js';
import { EmailCodes } from './email-codes.js';
import { DeviceCookies } from './device-cookies.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionStore, type ClientInfo, type IssuedRefresh, type Session } from './session.store.js';
import { Revocations } from './revocations.js';

/** What a successful sign-in or refresh produces. */
export interface SignedIn {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
  user: UserEntity;
}

export interface Signup {
  email: string;
  password: string;
  nickname: string;
}

/** How often a sign-in reads the account again when it changed meanwhile, before it gives up. */
const SIGN_IN_ATTEMPTS = 3;

/**
 * The rules of signing up, verifying, signing in, refreshing and signing out. Redis failures are not caught here:
 * the problem filter answers them 503 DEPENDENCY_UNAVAILABLE with Retry-After.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly codes: EmailCodes,
    private readonly sessions: SessionStore,
    private readonly tokens: AccessTokens,
    private readonly revocations: Revocations,
    private readonly limiter: RateLimiter,
    private readonly mail: MailQueue,
    private readonly database: Database,
    private readonly devices: DeviceCookies,
  ) {}

  async signup(input: Signup, client: ClientInfo): Promise<UserEntity> {
    await this.limit('signup-ip', client.network, this.config.rateLimits.signupIp);
    if (this.hasher.isCommon(input.password)) throw commonPassword();
    const existing = await this.users.findByEmailForAccess(input.email);
    // A verified address is taken; an unverified one proves nothing, so a new signup replaces it (nobody can squat an
    // address they cannot read mail for).
    if (existing && (existing.emailVerifiedAt || !existing.passwordHash)) throw emailTaken();
    const passwordHash = await this.hasher.hash(input.password);
    // The code is stored before the account is written, so that Redis being down changes nothing.
    const code = await this.codes.issue(input.email);
    let user: UserEntity;
    try {
      user = existing
        ? ((await this.users.update(existing.id, { passwordHash, nickname: input.nickname })) ?? existing)
        : await this.users.create({ email: input.email, passwordHash, nickname: input.nickname, role: Role.User });
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
    await this.codes.startCooldown(input.email);
    await this.sendCode(input.email, code);
    return user;
  }

  async verifyEmail(email: string, code: string, client: ClientInfo): Promise<void> {
    // Per address (its codes), and per client (one client guessing at many addresses).
    await this.limit('verify-ip', client.network, this.config.rateLimits.verifyIp);
    await this.limit('verify-email', email.toLowerCase(), this.config.rateLimits.verifyEmail);
    const check = await this.codes.check(email, code);
    if (check !== 'valid') throw invalidCode();
    const user = await this.users.findByEmailForAccess(email);
    if (!user) throw invalidCode();
    if (user.emailVerifiedAt) return;
    // ADMIN_EMAILS grants the role only once the address is proven.
    const admin = this.config.adminEmails.includes(email.toLowerCase());
    await this.users.update(user.id, { emailVerifiedAt: new Date(), ...(admin ? { role: Role.Admin } : {}) });
  }

  /** Sends a new code when the address has an unverified account and the cool-down allows; says nothing either way. */
  async resendCode(email: string, client: ClientInfo): Promise<void> {
    await this.limit('resend-ip', client.network, this.config.rateLimits.resendIp);
    const user = await this.users.findByEmailForAccess(email);
    if (!user?.passwordHash || user.emailVerifiedAt) return;
    if (!(await this.codes.startCooldown(email))) return;
    await this.sendCode(email, await this.codes.issue(email));
  }

  /**
   * One answer for a wrong email and a wrong password, at the same cost; the account's state (banned, unverified) is
   * told only to whoever knows its password. Failures count per account+IP, per IP, and per account from anywhere
   * (NIST 800-63B's cap), except that a browser holding a device cookie for the account counts its failures on its
   * own: guesses from elsewhere never lock out the account's owner. A success returns a new device cookie.
   */
  async login(
    email: string,
    password: string,
    client: ClientInfo,
    deviceCookie?: string,
  ): Promise<SignedIn & { deviceCookie: string }> {
    const accountIpKey = createHash('sha256').update(`${email.toLowerCase()}|${client.network}`).digest('base64url');
    const device = this.devices.deviceOf(deviceCookie, email);
    const { loginAccountIp, loginIp, loginAccount } = this.config.rateLimits;
    // The account's allowance: its trusted browser's own, or the one shared by every other client.
    const [accountBucket, accountKey] = device ? ['login-device', device] : ['login-account', addressDigest(email)];
    // Every attempt is counted before the password is checked, so parallel guesses cannot slip under the limit;
    // a success then gives its attempts back.
    const attempts = await Promise.all([
      this.limiter.hit('login-account-ip', accountIpKey, loginAccountIp),
      this.limiter.hit('login-ip', client.network, loginIp),
      this.limiter.hit(accountBucket, accountKey, device ? loginAccountIp : loginAccount),
    ]);
    const exceeded = attempts.find((state) => state.exceeded);
    if (exceeded) throw rateLimited(exceeded.resetMs);

    const user = await this.users.findByEmailForAccess(email);
    const valid = user?.passwordHash
      ? await this.hasher.verify(user.passwordHash, password)
      : await this.hasher.verifyNothing(password);
    if (!user || !valid) throw invalidCredentials();
    await Promise.all([
      this.limiter.reset('login-account-ip', accountIpKey),
      this.limiter.reset(accountBucket, accountKey),
      this.limiter.hit('login-ip', client.network, loginIp, -1),
    ]);
    if (user.bannedAt) throw accountBanned();
    if (!user.emailVerifiedAt) throw emailNotVerified();
    return { ...(await this.signIn(user, client)), deviceCookie: this.devices.issue(email) };
  }

  /**
   * Creates the session of a user whose credentials were just checked. The account is read again after the user's
   * version, and the session is created only if the version has not moved since: a ban, role change or logout
   * everywhere that lands while this sign-in is in flight makes it read the account again, so no token carries the
   * state from before it (SECURITY.md).
   */
  async signIn(user: UserEntity, client: ClientInfo): Promise<SignedIn> {
    // The request wrote the account (created it, verified it) before the caller was known: from now on this client
    // reads at least what the primary holds now.
    requestContext.identify(`user:${user.id}`);
    await this.database.recordClientPosition();
    for (let attempt = 1; ; attempt += 1) {
      const version = await this.sessions.version(user.id);
      const current = await this.users.findByIdForAccess(user.id);
      if (!current) throw invalidCredentials();
      if (current.bannedAt) throw accountBanned();
      const session = await this.sessions.create(current.id, client, version);
      if (session) return this.signedIn(current, session);
      // Changed again while this one was in flight: a few tries, then the client may retry later.
      if (attempt === SIGN_IN_ATTEMPTS)
        throw new DependencyUnavailableError('session store: the account keeps changing');
    }
  }

  /**
   * Rotates a refresh token. Everything that could refuse the refresh (rate limit, a banned user, the database) is
   * checked before the rotation, so that a refused client still holds a token that works when it retries.
   */
  async refresh(refreshToken: string | undefined, client: ClientInfo): Promise<SignedIn> {
    const session = refreshToken ? await this.sessions.peek(refreshToken) : undefined;
    if (!refreshToken || !session) throw invalidRefreshToken();
    await this.limit('refresh-session', session.sessionId, this.config.rateLimits.refreshSession);
    const user = await this.users.findByIdForAccess(session.userId);
    if (!user || user.bannedAt) {
      await this.sessions.revoke(session.userId, session.sessionId);
      throw invalidRefreshToken();
    }
    const rotation = await this.sessions.rotate(refreshToken);
    if (rotation.kind === 'invalid') throw invalidRefreshToken();
    if (rotation.kind === 'reused') {
      this.logger.warn(
        {
          event: 'refresh_token_reused',
          userId: rotation.userId,
          sessionId: rotation.sessionId,
          ip: client.ip,
          userAgent: client.userAgent,
        },
        'a rotated refresh token was presented again; its login has been ended',
      );
      throw refreshTokenReused();
    }
    return this.signedIn(user, rotation);
  }

  /** Ends this session and its access token now. */
  async logout(caller: AuthUser): Promise<void> {
    await this.sessions.revoke(caller.id, caller.sessionId);
    await this.revocations.deny(caller.jti, caller.exp);
  }

  /**
   * Ends every session of the user and every access token issued so far, and turns back any sign-in in flight: the
   * one revocation path of logout everywhere, bans and role changes.
   */
  async logoutEverywhere(userId: string): Promise<void> {
    await this.sessions.revokeAll(userId);
    await this.revocations.revokeUser(userId);
  }

  listSessions(userId: string): Promise<Session[]> {
    return this.sessions.list(userId);
  }

  /** Ends one of the caller's sessions; false when it has no such session. */
  endSession(userId: string, sessionId: string): Promise<boolean> {
    return this.sessions.revoke(userId, sessionId);
  }

  /** A fresh access token for the session, with its refresh token. */
  private signedIn(user: UserEntity, session: IssuedRefresh): SignedIn {
    const access = this.tokens.sign({ userId: user.id, sessionId: session.sessionId, role: user.role });
    return {
      accessToken: access.token,
      expiresIn: access.expiresIn,
      refreshToken: session.refreshToken,
      refreshExpiresIn: session.refreshExpiresIn,
      user,
    };
  }

  private async sendCode(email: string, code: string): Promise<void> {
    await this.mail.send(verificationMail(email, code));
  }

  private async limit(name: string, subject: string, rule: RateLimit): Promise<void> {
    const state = await this.limiter.hit(name, subject, rule);
    if (state.exceeded) throw rateLimited(state.resetMs);
  }
}
