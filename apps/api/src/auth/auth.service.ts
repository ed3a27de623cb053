import { DependencyUnavailableError, requestContext, type AuthUser, Role } from '@app/core';
import { Database, isUniqueViolation, type UserEntity } from '@app/database';
import { MailQueue } from '@app/queue';
import { RateLimiter, type RateLimit } from '@app/redis';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { UsersService } from '@api/users';
import { AccessTokenSigner } from './tokens/access-token.signer.js';
import { AUTH_CONFIG, type AuthConfig } from './auth.config.js';
import {
  accountBanned,
  commonPassword,
  emailNotVerified,
  emailTaken,
  invalidCode,
  invalidCredentials,
  invalidRefreshToken,
  refreshTokenReused,
} from './auth.errors.js';
import { verificationMail } from './auth.mails.js';
import { EmailCodeStore } from './email/email-code.store.js';
import { DeviceCookieSigner } from './email/device-cookie.signer.js';
import { LoginAttemptsLimiter } from './email/login-attempts.limiter.js';
import { enforce } from './guards/rate-limit.enforcer.js';
import { PasswordHasher } from './email/password.hasher.js';
import { PendingSignupStore, type PendingSignup } from './email/pending-signup.store.js';
import { SessionStore, type ClientInfo, type IssuedRefresh, type Session } from './sessions/session.store.js';
import { RevocationsStore } from './tokens/revocations.store.js';

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
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly codes: EmailCodeStore,
    private readonly sessions: SessionStore,
    private readonly tokens: AccessTokenSigner,
    private readonly revocations: RevocationsStore,
    private readonly limiter: RateLimiter,
    private readonly mail: MailQueue,
    private readonly database: Database,
    private readonly devices: DeviceCookieSigner,
    private readonly pendingSignups: PendingSignupStore,
    private readonly attempts: LoginAttemptsLimiter,
  ) {}

  /**
   * Keeps a signup until its address is proven, and mails a code when the address's cool-down allows. A signup never
   * touches another one waiting for the same address (pre-account takeover): each keeps its own password, and a live
   * code is never replaced. A new address and one with signups waiting get the same answer, a fresh id and now; when
   * the address already has the most signups it may keep, this one is not kept, and the answer is still the same.
   */
  async signup(input: Signup, client: ClientInfo): Promise<PendingSignup> {
    await this.limit('signup-ip', client.network, this.config.rateLimits.signupIp);
    if (this.hasher.isCommon(input.password)) throw commonPassword();
    if (await this.users.findByEmailForAccess(input.email)) throw emailTaken();
    const signup: PendingSignup = {
      id: randomUUID(),
      passwordHash: await this.hasher.hash(input.password),
      nickname: input.nickname,
      createdAt: new Date(),
    };
    await this.pendingSignups.add(input.email, signup);
    await this.mailCodeIfDue(input.email);
    return signup;
  }

  /**
   * Proves the address with a mailed code and activates the one signup whose password comes with the proof, then
   * signs its user in. Wrong code, no such password, a used or expired code: one answer. A success also returns a
   * device cookie, as a login does.
   */
  async verifyEmail(
    email: string,
    code: string,
    password: string,
    client: ClientInfo,
  ): Promise<SignedIn & { deviceCookie: string }> {
    // Per address (its codes), and per client (one client guessing at many addresses).
    await this.limit('verify-ip', client.network, this.config.rateLimits.verifyIp);
    await this.limit('verify-email', email.toLowerCase(), this.config.rateLimits.verifyEmail);
    const match = await this.codes.check('verify', email, code);
    if (typeof match === 'string') throw invalidCode();
    // The code stays live until a signup matches: a mistyped password does not cost the owner their code.
    const signup = await this.matchingSignup(email, password);
    if (!signup || !(await this.codes.consume('verify', email, match))) throw invalidCode();
    const user = await this.activate(email, signup);
    await this.pendingSignups.clear(email);
    return { ...(await this.signIn(user, client)), deviceCookie: this.devices.issue(email) };
  }

  /** Sends a new code when the address has a signup waiting and its cool-down allows; says nothing either way. */
  async resendCode(email: string, client: ClientInfo): Promise<void> {
    await this.limit('resend-ip', client.network, this.config.rateLimits.resendIp);
    if ((await this.pendingSignups.list(email)).length === 0) return;
    await this.mailCodeIfDue(email);
  }

  /**
   * One answer for a wrong email and a wrong password, at the same cost; the account's state (banned, unverified) is
   * told only to whoever knows its password. Attempts count against `LoginAttemptsLimiter`. A success returns a new device
   * cookie.
   */
  async login(
    email: string,
    password: string,
    client: ClientInfo,
    deviceCookie?: string,
  ): Promise<SignedIn & { deviceCookie: string }> {
    const succeeded = await this.attempts.count(email, client, deviceCookie);
    const user = await this.users.findByEmailForAccess(email);
    // An address with no account may have signups waiting: the right password for one of them is told so.
    const valid = user?.passwordHash
      ? await this.hasher.verify(user.passwordHash, password)
      : user
        ? await this.hasher.verifyNothing(password)
        : (await this.matchingSignup(email, password)) !== undefined;
    if (!valid) throw invalidCredentials();
    await succeeded();
    if (!user) throw emailNotVerified();
    if (user.bannedAt) throw accountBanned();
    return { ...(await this.signIn(user, client)), deviceCookie: this.devices.issue(email) };
  }

  /**
   * Creates the session of a user whose credentials were just checked. The account is read again after the user's
   * version, and the session is created only if the version has not moved since: a ban, role change, password change
   * or logout everywhere that lands while this sign-in is in flight makes it read the account again, so no token
   * carries the state from before it (SECURITY.md).
   */
  async signIn(user: UserEntity, client: ClientInfo): Promise<SignedIn> {
    // The request wrote the account (created it, verified it) before the caller was known: from now on this client
    // reads at least what the primary holds now.
    requestContext.identify(`user:${user.id}`);
    await this.database.recordClientPosition();
    for (let attempt = 1; ; attempt += 1) {
      const version = await this.sessions.version(user.id);
      const current = await this.users.findByIdForAccess(user.id);
      if (!current || current.closedAt) throw invalidCredentials();
      // The password checked was the one the account had when it was read: a change or reset since ends this sign-in.
      if (current.passwordHash !== user.passwordHash) throw invalidCredentials();
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
    if (!user || user.bannedAt || user.closedAt) {
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

  /**
   * Mails a new code unless one went to the address within the cool-down (shared by every route that mails a code) or
   * the address already holds the most live codes it may: those are in its mailbox.
   */
  private async mailCodeIfDue(email: string): Promise<void> {
    if (!(await this.codes.startCooldown(email))) return;
    const code = await this.codes.issue('verify', email);
    if (code) await this.mail.send(verificationMail(email, code));
  }

  /**
   * The waiting signup of `email` whose password this is. Every one is checked, and an address with none costs one
   * hash all the same, so that the time taken does not tell which matched or whether any waits.
   */
  private async matchingSignup(email: string, password: string): Promise<PendingSignup | undefined> {
    const signups = await this.pendingSignups.list(email);
    if (signups.length === 0) {
      await this.hasher.verifyNothing(password);
      return undefined;
    }
    const matches = await Promise.all(signups.map((signup) => this.hasher.verify(signup.passwordHash, password)));
    return signups.find((_, index) => matches[index]);
  }

  /** The account of a signup whose address was just proven; ADMIN_EMAILS grants the role only now. */
  private async activate(email: string, signup: PendingSignup): Promise<UserEntity> {
    const admin = this.config.adminEmails.includes(email.toLowerCase());
    try {
      return await this.users.create({
        id: signup.id,
        email,
        passwordHash: signup.passwordHash,
        nickname: signup.nickname,
        role: admin ? Role.Admin : Role.User,
        emailVerifiedAt: new Date(),
      });
    } catch (error) {
      // The address became an account meanwhile (another of its signups, or Kakao).
      if (isUniqueViolation(error)) throw emailTaken();
      throw error;
    }
  }

  private limit(name: string, subject: string, rule: RateLimit): Promise<void> {
    return enforce(this.limiter, name, subject, rule);
  }
}
