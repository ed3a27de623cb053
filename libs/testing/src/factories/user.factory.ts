import { Role } from '@app/core';
import { randomUUID } from 'node:crypto';
import { FixtureWriter, type FixtureTarget } from './fixture.writer.js';

/**
 * The api's password hashing (argon2id), given by the caller: a lib never imports an app. The caller keeps one hash per
 * password (test/support/fixtures.ts does), so that many users cost one hash.
 */
export type HashPassword = (plain: string) => Promise<string>;

/** The password of every made user unless told otherwise: long and uncommon enough for the api's password rules. */
export const FIXTURE_PASSWORD = 'quiet-harbor-lantern-42';

export interface UserFixtureOptions {
  /** Defaults to a fresh `user-<hex>@example.com`; null for an account without an address (Kakao without it). */
  email?: string | null;
  /** Defaults to {@link FIXTURE_PASSWORD}; null for an account that signs in with Kakao only. */
  password?: string | null;
  /** Defaults to a member. */
  role?: Role;
  /** Whether the address is verified; defaults to yes. An account without an address is never verified. */
  verified?: boolean;
  /** Kakao's user id, for an account linked to Kakao; defaults to none. */
  kakaoId?: string | null;
  /** Defaults to `user-<hex>`, the hex of the default address. */
  nickname?: string;
}

/** A made user, with its password in the clear (null when it has none). */
export interface FixtureUser {
  id: string;
  email: string | null;
  password: string | null;
  nickname: string;
  role: Role;
  kakaoId: string | null;
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

interface UserRow {
  id: string;
  email: string | null;
  nickname: string;
  role: Role;
  kakao_id: string | null;
  email_verified_at: Date | null;
  created_at: Date;
}

/**
 * Users as the users context's `create` writes them (the same columns; the rest left to their defaults), straight into
 * the database: for apis in-process and apis that run as processes of their own alike.
 */
export class UserFactory {
  private readonly writer: FixtureWriter;

  constructor(
    target: FixtureTarget,
    private readonly hashPassword: HashPassword,
  ) {
    this.writer = new FixtureWriter(target);
  }

  async create(options: UserFixtureOptions = {}): Promise<FixtureUser> {
    const [user] = await this.createMany(1, () => options);
    return user;
  }

  /** `count` users in one statement, the i-th with `options(i)`. */
  async createMany(count: number, options: (index: number) => UserFixtureOptions = () => ({})): Promise<FixtureUser[]> {
    const users = Array.from({ length: count }, (_, index) => {
      const given = options(index);
      const id = randomUUID();
      const email = given.email === undefined ? `user-${id.slice(0, 8)}@example.com` : given.email;
      const password = given.password === undefined ? FIXTURE_PASSWORD : given.password;
      return { id, given, email, password, nickname: given.nickname ?? `user-${id.slice(0, 8)}` };
    });
    const rows = await this.writer.insert<UserRow>(
      'users',
      await Promise.all(
        users.map(async ({ id, given, email, password, nickname }) => ({
          id,
          email,
          password_hash: password === null ? null : await this.hashPassword(password),
          nickname,
          role: given.role ?? Role.User,
          email_verified_at: email !== null && given.verified !== false ? new Date() : null,
          kakao_id: given.kakaoId ?? null,
        })),
      ),
    );
    return rows.map((row, index) => ({
      id: row.id,
      email: row.email,
      password: users[index].password,
      nickname: row.nickname,
      role: row.role,
      kakaoId: row.kakao_id,
      emailVerifiedAt: row.email_verified_at,
      createdAt: row.created_at,
    }));
  }
}
