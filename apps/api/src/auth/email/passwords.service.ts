import { NotFoundError, requestContext, type AuthUser } from '@app/core';
import { Database, type UserEntity } from '@app/database';
import { RateLimiter } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { OutboxDispatcher, OutboxRepository } from '@api/outbox';
import { UsersService } from '@api/users';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { commonPassword, invalidCode, noPassword, wrongPassword } from '../auth.errors.js';
import { kakaoOnlyResetMail, passwordChangedMail, passwordResetMail } from '../auth.mails.js';
import { AuthService } from '../auth.service.js';
import { DeviceCookieSigner } from './device-cookie.signer.js';
import { EmailCodeStore } from './email-code.store.js';
import { LoginAttemptsLimiter } from './login-attempts.limiter.js';
import { PasswordHasher } from './password.hasher.js';
import { enforce } from '../guards/rate-limit.enforcer.js';
import { RevocationsStore } from '../tokens/revocations.store.js';
import { SessionStore, type ClientInfo } from '../sessions/session.store.js';

/**
 * Forgotten, reset and changed passwords. A new password ends sessions through the same path as a ban or logout
 * everywhere (before and after the row changes), so no sign-in in flight with the old password mints a token; its
 * notice is mailed through the outbox in the same transaction as the change.
 */
@Injectable()
export class PasswordsService implements OnApplicationShutdown {
  private readonly logger = new Logger(PasswordsService.name);
  /** Work that follows an answer, awaited at shutdown. */
  private readonly followUps = new Set<Promise<void>>();

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly codes: EmailCodeStore,
    private readonly limiter: RateLimiter,
    private readonly attempts: LoginAttemptsLimiter,
    private readonly auth: AuthService,
    private readonly sessions: SessionStore,
    private readonly revocations: RevocationsStore,
    private readonly database: Database,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly devices: DeviceCookieSigner,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  /** Resolves once the work that followed earlier answers (reset mail) is done. */
  async settled(): Promise<void> {
    await Promise.all(this.followUps);
  }

  /**
   * Mails a reset code to a verified account that has a password, a note to sign in with Kakao to one that has none,
   * and nothing otherwise. Before the answer only the client's limit and the address's mail cool-down (shared with
   * signup and resend) are checked, the same for every address; the account is looked up after it, so that neither
   * the answer nor its time tells whether the address is registered.
   */
  async forgot(email: string, client: ClientInfo): Promise<void> {
    await enforce(this.limiter, 'forgot-ip', client.network, this.config.rateLimits.resendIp);
    if (!(await this.codes.startCooldown(email))) return;
    this.afterAnswer(() => this.mailReset(email));
  }

  /**
   * Sets a new password with a mailed reset code: every session and access token of the user ends. Returns a device
   * cookie for the browser that proved the address, whose own login allowance survives guesses from elsewhere.
   */
  async reset(email: string, code: string, newPassword: string, client: ClientInfo): Promise<string> {
    // The verification code's limits: per client, and per address from anywhere.
    await enforce(this.limiter, 'reset-ip', client.network, this.config.rateLimits.verifyIp);
    await enforce(this.limiter, 'reset-email', email.toLowerCase(), this.config.rateLimits.verifyEmail);
    const match = await this.codes.check('reset', email, code);
    if (typeof match === 'string') throw invalidCode();
    // Refused before the code is used up, so that the owner can choose another password with it.
    if (this.hasher.isCommon(newPassword)) throw commonPassword('newPassword');
    const user = await this.users.findByEmailForAccess(email);
    if (!user?.passwordHash || !(await this.codes.consume('reset', email, match))) throw invalidCode();
    await this.replace(user, newPassword, client, () => this.auth.logoutEverywhere(user.id));
    return this.devices.issue(email);
  }

  /**
   * Changes the caller's password: the current one must be right (a wrong one counts against the login limits), every
   * other session ends, the caller's stays.
   */
  async change(caller: AuthUser, currentPassword: string, newPassword: string, client: ClientInfo): Promise<void> {
    const user = await this.users.findByIdForAccess(caller.id);
    if (!user) throw new NotFoundError('User');
    if (!user.passwordHash || !user.email) throw noPassword();
    const succeeded = await this.attempts.count(user.email, client);
    if (!(await this.hasher.verify(user.passwordHash, currentPassword))) throw wrongPassword();
    await succeeded();
    if (this.hasher.isCommon(newPassword)) throw commonPassword('newPassword');
    await this.replace(user, newPassword, client, async () => {
      await this.sessions.revokeAll(user.id, caller.sessionId);
      await this.revocations.turnBackSignIns(user.id);
    });
  }

  /** Writes the new password and its notice, with `endSessions` before and after the row changes. */
  private async replace(
    user: UserEntity,
    newPassword: string,
    client: ClientInfo,
    endSessions: () => Promise<void>,
  ): Promise<void> {
    const passwordHash = await this.hasher.hash(newPassword);
    await endSessions();
    await this.database.transaction(async (manager) => {
      await this.users.update(user.id, { passwordHash }, manager);
      await this.outbox.addMail(manager, passwordChangedMail(user.email!, new Date(), client));
    });
    await endSessions();
    this.dispatcher.dispatchSoon();
  }

  private async mailReset(email: string): Promise<void> {
    const user = await this.users.findByEmailForAccess(email);
    if (!user?.email || !user.emailVerifiedAt || user.bannedAt) return;
    let mail;
    if (user.passwordHash) {
      const code = await this.codes.issue('reset', email);
      // The address holds the most live codes it may: they are in its mailbox.
      if (!code) return;
      mail = passwordResetMail(user.email, code);
    } else {
      mail = kakaoOnlyResetMail(user.email);
    }
    await this.database.transaction((manager) => this.outbox.addMail(manager, mail));
    this.dispatcher.dispatchSoon();
  }

  /** Runs `work` after the answer, outside the request; a failure is logged (the client may ask again). */
  private afterAnswer(work: () => Promise<void>): void {
    const followUp = requestContext
      .outside(work)
      .catch((error: Error) => this.logger.error(`password reset mail not recorded: ${error.message}`))
      .finally(() => this.followUps.delete(followUp));
    this.followUps.add(followUp);
  }
}
