import { Role } from '@app/core';
import { type UserEntity } from '@app/database';
import { ApiProperty } from '@nestjs/swagger';

export enum AuthProvider {
  Email = 'email',
  Kakao = 'kakao',
}

/** A user as every client sees it. */
export class UserResponseDto {
  /** @example 6f1c0a0e-8a43-4d43-9c55-8f9d5b0b3f2e */
  id!: string;
  /** Null for a Kakao account whose email Kakao did not share. */
  email!: string | null;
  /** @example 김다연 */
  nickname!: string;
  /** What the account may do: `USER`, or `ADMIN`, who may also use /admin/*. */
  @ApiProperty({ enum: Role, enumName: 'Role' })
  role!: Role;
  emailVerified!: boolean;
  /** How the account signs in: `email` (password) or `kakao`. */
  @ApiProperty({ enum: AuthProvider, enumName: 'AuthProvider' })
  provider!: AuthProvider;
  createdAt!: Date;

  static from(user: UserEntity): UserResponseDto {
    return Object.assign(new UserResponseDto(), {
      id: user.id,
      email: user.email,
      nickname: user.nickname,
      role: user.role,
      emailVerified: user.emailVerifiedAt !== null,
      provider: user.passwordHash === null && user.kakaoId !== null ? AuthProvider.Kakao : AuthProvider.Email,
      createdAt: user.createdAt,
    });
  }

  /** The account a signup becomes once its address is proven. */
  static pending(email: string, signup: { id: string; nickname: string; createdAt: Date }): UserResponseDto {
    return Object.assign(new UserResponseDto(), {
      id: signup.id,
      email,
      nickname: signup.nickname,
      role: Role.User,
      emailVerified: false,
      provider: AuthProvider.Email,
      createdAt: signup.createdAt,
    });
  }
}

/** A user as admins see it: with the ban, and the closure of a closed account. */
export class AdminUserResponseDto extends UserResponseDto {
  bannedAt!: Date | null;
  /** Set for a closed account, whose email and sign-in methods are erased. */
  closedAt!: Date | null;

  static override from(user: UserEntity): AdminUserResponseDto {
    return Object.assign(new AdminUserResponseDto(), UserResponseDto.from(user), {
      bannedAt: user.bannedAt,
      closedAt: user.closedAt,
    });
  }
}
