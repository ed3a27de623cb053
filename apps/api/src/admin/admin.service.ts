import { ForbiddenError, NotFoundError, type List, type ListWindow, Role } from '@app/core';
import type { UserEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { AuthService } from '@api/auth';
import { UsersService } from '@api/users';

/** What admins may do to accounts. Every change of role or ban ends the account's sessions and tokens at once. */
@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly auth: AuthService,
  ) {}

  list(search: string | undefined, window: ListWindow): Promise<List<UserEntity>> {
    return this.users.list(search, window);
  }

  changeRole(adminId: string, userId: string, role: Role): Promise<UserEntity> {
    return this.change(adminId, userId, { role });
  }

  ban(adminId: string, userId: string): Promise<UserEntity> {
    return this.change(adminId, userId, { bannedAt: new Date() });
  }

  unban(adminId: string, userId: string): Promise<UserEntity> {
    return this.change(adminId, userId, { bannedAt: null });
  }

  private async change(adminId: string, userId: string, changes: Partial<UserEntity>): Promise<UserEntity> {
    if (adminId === userId) throw new ForbiddenError('Admins cannot change their own role or ban themselves');
    // Sessions end first: if Redis is down the change is refused whole, never half-done (banned, yet still signed in).
    await this.auth.logoutEverywhere(userId);
    const user = await this.users.update(userId, changes);
    if (!user) throw new NotFoundError('User');
    // And again once the row holds the change: a sign-in that read the row before it was written, and created its
    // session since the first revocation, loses that session here; one still in flight finds the version moved and
    // reads the row again.
    await this.auth.logoutEverywhere(userId);
    return user;
  }
}
