import { Role } from '@app/core';
import type { List, ListWindow } from '@app/core';
import { CompiledSelect, Database, UserEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';

export interface NewUser {
  /** Given when the account was promised one before it existed (a signup's). */
  id?: string;
  email: string | null;
  passwordHash: string | null;
  nickname: string;
  role: Role;
  emailVerifiedAt?: Date | null;
  kakaoId?: string | null;
}

/** The columns a change may set. */
export type UserChanges = Partial<Omit<UserEntity, 'id' | 'createdAt' | 'updatedAt'>>;

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (char) => `\\${char}`);

/** The users table. Reads that decide access (sign-in, bans) use the primary; listings use the replica. */
@Injectable()
export class UsersRepository {
  /** `GET /users/me` on every page of the SPA, and each refresh: rendered once. */
  private readonly byId = new CompiledSelect<UserEntity, [id: string]>(1, (manager, id) =>
    manager.createQueryBuilder(UserEntity, 'user').where('user.id = :id', { id }),
  );

  constructor(private readonly database: Database) {}

  findById(id: string): Promise<UserEntity | null> {
    return this.database.read((manager) => this.byId.one(manager, id));
  }

  /** The current row on the primary, for decisions that a stale replica must not make. */
  findByIdForAccess(id: string): Promise<UserEntity | null> {
    return this.database.readPrimary((manager) => this.byId.one(manager, id));
  }

  findByEmailForAccess(email: string): Promise<UserEntity | null> {
    return this.database.readPrimary((manager) =>
      manager.createQueryBuilder(UserEntity, 'user').where('lower(user.email) = lower(:email)', { email }).getOne(),
    );
  }

  findByKakaoIdForAccess(kakaoId: string): Promise<UserEntity | null> {
    return this.database.readPrimary((manager) => manager.findOneBy(UserEntity, { kakaoId }));
  }

  create(user: NewUser): Promise<UserEntity> {
    return this.database.write((manager) => manager.save(manager.create(UserEntity, user)));
  }

  /**
   * Updates the given columns and returns the row as it now is; inside `transaction` when given (a change that records
   * more, such as its mail in the outbox, with it).
   */
  async update(id: string, changes: UserChanges, transaction?: EntityManager): Promise<UserEntity | null> {
    const update = async (manager: EntityManager) => {
      await manager.update(UserEntity, { id }, changes);
      return manager.findOneBy(UserEntity, { id });
    };
    return transaction ? update(transaction) : this.database.write(update);
  }

  /** The id, address and nickname of each of `ids` that exists, on `manager` (the caller's transaction). */
  async contactsOf(
    manager: EntityManager,
    ids: readonly string[],
  ): Promise<Map<string, Pick<UserEntity, 'id' | 'email' | 'nickname'>>> {
    const rows = await manager.find(UserEntity, {
      select: { id: true, email: true, nickname: true },
      where: { id: In([...ids]) },
    });
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** A list of users (newest first by default); `search` matches email or nickname, case-insensitively. */
  list(search: string | undefined, window: ListWindow): Promise<List<UserEntity>> {
    return this.database.readList('user', window, (manager) => {
      const query = manager.createQueryBuilder(UserEntity, 'user');
      if (search) {
        query.where('(user.email ILIKE :pattern OR user.nickname ILIKE :pattern)', {
          pattern: `%${escapeLike(search)}%`,
        });
      }
      return { rows: query };
    });
  }
}
