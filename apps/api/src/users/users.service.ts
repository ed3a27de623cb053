import { NotFoundError, type List, type ListWindow } from '@app/core';
import type { UserEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UsersRepository, type NewUser, type UserChanges } from './users.repository.js';

/** What another context may ask of a user: its name and address, for a mail about it. */
export type UserContact = Pick<UserEntity, 'id' | 'email' | 'nickname'>;

/**
 * The users context's service, and the only way other contexts reach accounts (its repository stays inside). Lookups
 * named "for access" read the primary: they decide sign-ins, bans and roles, which a lagging replica must not.
 */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  async me(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  async rename(userId: string, nickname: string): Promise<UserEntity> {
    const user = await this.users.update(userId, { nickname });
    if (!user) throw new NotFoundError('User');
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findById(id);
  }

  findByIdForAccess(id: string): Promise<UserEntity | null> {
    return this.users.findByIdForAccess(id);
  }

  findByEmailForAccess(email: string): Promise<UserEntity | null> {
    return this.users.findByEmailForAccess(email);
  }

  findByKakaoIdForAccess(kakaoId: string): Promise<UserEntity | null> {
    return this.users.findByKakaoIdForAccess(kakaoId);
  }

  create(user: NewUser): Promise<UserEntity> {
    return this.users.create(user);
  }

  /** Changes the given columns, inside `transaction` when given; the row as it now is, or null when there is none. */
  update(id: string, changes: UserChanges, transaction?: EntityManager): Promise<UserEntity | null> {
    return this.users.update(id, changes, transaction);
  }

  list(search: string | undefined, window: ListWindow): Promise<List<UserEntity>> {
    return this.users.list(search, window);
  }

  /** The contacts of `ids`, read inside the caller's transaction (a change and the mail about it agree). */
  contactsOf(manager: EntityManager, ids: readonly string[]): Promise<Map<string, UserContact>> {
    return this.users.contactsOf(manager, ids);
  }
}
