import { Role } from '@app/core';
import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'users' })
@Index('users_email_key', { synchronize: false })
@Index('users_list_idx', ['createdAt', 'id'])
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Unique regardless of case: the `users_email_key` index is on `lower(email)` (see the migration). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /** argon2id PHC string; null for accounts that only sign in with Kakao. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 50 })
  nickname!: string;

  @Column({ type: 'enum', enum: Role, enumName: 'user_role', default: Role.User })
  role!: Role;

  @Column({ type: 'timestamptz', nullable: true })
  emailVerifiedAt!: Date | null;

  /** Kakao's app-scoped user id, a 64-bit integer kept as its decimal text. */
  @Index('users_kakao_id_key', { unique: true })
  @Column({ type: 'text', nullable: true })
  kakaoId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  bannedAt!: Date | null;

  /** Set when the account was closed: email, password and Kakao id are erased, the nickname replaced. */
  @Column({ type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** Millisecond precision, so that a keyset cursor built from a JavaScript Date matches the row exactly. */
  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
