import { ApiProperty } from '@nestjs/swagger';
import { UserResponseDto } from '@api/users';
import type { SignedIn } from '../auth.service.js';
import type { Session } from '../sessions/session.store.js';

export class TokenResponseDto {
  /** A JWT for `Authorization: Bearer`. */
  accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] })
  tokenType!: 'Bearer';
  /** Seconds the access token lives. @example 900 */
  expiresIn!: number;
  /** Opaque, single use: each refresh returns a new one. Also set as the `modak_rt` cookie. */
  refreshToken!: string;
  /** Seconds until the login ends, whatever the refreshes. @example 2592000 */
  refreshExpiresIn!: number;
  user!: UserResponseDto;

  static from(signedIn: SignedIn): TokenResponseDto {
    return Object.assign(new TokenResponseDto(), {
      accessToken: signedIn.accessToken,
      tokenType: 'Bearer' as const,
      expiresIn: signedIn.expiresIn,
      refreshToken: signedIn.refreshToken,
      refreshExpiresIn: signedIn.refreshExpiresIn,
      user: UserResponseDto.from(signedIn.user),
    });
  }
}

export class SignupResponseDto {
  user!: UserResponseDto;
}

export class SessionResponseDto {
  id!: string;
  createdAt!: Date;
  lastUsedAt!: Date;
  userAgent!: string;
  ip!: string;
  /** The session of the token making this call. */
  current!: boolean;

  static from(session: Session, currentSessionId: string): SessionResponseDto {
    return Object.assign(new SessionResponseDto(), {
      id: session.id,
      createdAt: session.createdAt,
      lastUsedAt: session.lastUsedAt,
      userAgent: session.userAgent,
      ip: session.ip,
      current: session.id === currentSessionId,
    });
  }
}
