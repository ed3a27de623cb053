import { NotFoundError, type AuthUser } from '@app/core';
import { Database, type UserEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { OutboxDispatcher, OutboxRepository } from '@api/outbox';
import { TasksService } from '@api/tasks';
import { UsersService } from '@api/users';
import { passwordRequired, reauthenticationRequired, wrongPassword } from '../auth.errors.js';
import { AuthService } from '../auth.service.js';
import { LoginAttemptsLimiter } from '../email/login-attempts.limiter.js';
import { PasswordHasher } from '../email/password.hasher.js';
import { SessionStore, type ClientInfo } from '../sessions/session.store.js';

/** What a closed account is called wherever it is still named (its posts, its tasks' history). */
export const CLOSED_ACCOUNT_NICKNAME = '탈퇴한 사용자';
/** An account without a password proves it is its owner closing it by a sign-in this recent. */
export const RECENT_SIGN_IN_MS = 10 * 60 * 1000;

/**
 * Closing an account (PIPA: personal data goes once its purpose ends). Every session ends, through the same path as a
 * ban (before and after the row changes); email, password and Kakao id are erased and the nickname replaced, so the
 * address is free for a new signup; the row stays for the posts and tasks that name it. Open tasks assigned to the
 * account are left unassigned, each with its event. A Kakao-linked account is unlinked at Kakao through the outbox and
 * the worker, so the closure completes whether or not Kakao answers.
 */
@Injectable()
export class AccountClosure {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly attempts: LoginAttemptsLimiter,
    private readonly auth: AuthService,
    private readonly sessions: SessionStore,
    private readonly database: Database,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly tasks: TasksService,
  ) {}

  /**
   * Closes the caller's own account, once the caller proves to be its owner: with the password (a wrong one counts
   * against the login limits), or, for an account without one, with a sign-in less than ten minutes old.
   */
  async closeOwn(caller: AuthUser, password: string | undefined, client: ClientInfo): Promise<void> {
    const user = await this.users.findByIdForAccess(caller.id);
    if (!user || user.closedAt) throw new NotFoundError('User');
    if (user.passwordHash && user.email) {
      if (password === undefined) throw passwordRequired();
      const succeeded = await this.attempts.count(user.email, client);
      if (!(await this.hasher.verify(user.passwordHash, password))) throw wrongPassword();
      await succeeded();
    } else {
      const session = (await this.sessions.list(user.id)).find(({ id }) => id === caller.sessionId);
      if (!session || Date.now() - session.createdAt.getTime() > RECENT_SIGN_IN_MS) throw reauthenticationRequired();
    }
    await this.close(user, { unlinkKakao: true });
  }

  /** Closes `user`'s account; `unlinkKakao` false when Kakao itself said the link is gone. */
  async close(user: UserEntity, options: { unlinkKakao: boolean }): Promise<void> {
    await this.auth.logoutEverywhere(user.id);
    await this.database.transaction(async (manager) => {
      await this.users.update(
        user.id,
        {
          email: null,
          passwordHash: null,
          kakaoId: null,
          emailVerifiedAt: null,
          nickname: CLOSED_ACCOUNT_NICKNAME,
          closedAt: new Date(),
        },
        manager,
      );
      await this.tasks.unassignAll(manager, user.id);
      if (options.unlinkKakao && user.kakaoId) await this.outbox.addKakaoUnlink(manager, { kakaoId: user.kakaoId });
    });
    await this.auth.logoutEverywhere(user.id);
    this.dispatcher.dispatchSoon();
  }
}
