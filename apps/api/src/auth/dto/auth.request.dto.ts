import { Trim } from '@app/core';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

export class SignupRequestDto {
  /** @example dayeon@example.com */
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** 8 to 128 characters, taken exactly as typed; common passwords are refused. @example correct horse battery */
  @IsString()
  @Length(8, 128)
  password!: string;

  /** @example 김다연 */
  @Trim()
  @IsString()
  @Length(1, 50)
  nickname!: string;
}

export class VerifyEmailRequestDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** The 6-digit code from the mail. @example 042917 */
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code!: string;

  /** The password given at signup: proving the address activates only the signup it belongs to. */
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class ResendCodeRequestDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class LoginRequestDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @IsString()
  @Length(1, 128)
  password!: string;
}

export class RefreshRequestDto {
  /** The refresh token; omit it to use the `modak_rt` cookie. */
  @IsOptional()
  @IsString()
  @Length(20, 200)
  refreshToken?: string;
}

export class ForgotPasswordRequestDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class ResetPasswordRequestDto {
  @Trim()
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** The 6-digit code from the reset mail. @example 042917 */
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code!: string;

  /** 8 to 128 characters, taken exactly as typed; common passwords are refused. */
  @IsString()
  @Length(8, 128)
  newPassword!: string;
}

export class ChangePasswordRequestDto {
  @IsString()
  @Length(1, 128)
  currentPassword!: string;

  /** 8 to 128 characters, taken exactly as typed; common passwords are refused. */
  @IsString()
  @Length(8, 128)
  newPassword!: string;
}

export class CloseAccountRequestDto {
  /** The account's password; accounts without one (Kakao) send none and need a sign-in less than 10 minutes old. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  password?: string;
}
