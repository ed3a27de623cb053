import { Trim } from '@app/core';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';

// Each field's rules once; a composite hides them from the OpenAPI plugin, so each says them to OpenAPI as well.

/** An email address as typed (trimmed), up to 254 characters. */
const EmailAddress = () =>
  applyDecorators(
    Trim(),
    IsEmail({}, { message: 'email must be an email address' }),
    MaxLength(254),
    ApiProperty({ format: 'email', maxLength: 254 }),
  );

/** A 6-digit code from a mail. */
const MailedCode = () =>
  applyDecorators(
    IsString(),
    Matches(/^\d{6}$/, { message: 'code must be 6 digits' }),
    ApiProperty({ pattern: '^\\d{6}$' }),
  );

/** A password being set: 8 to 128 characters, as typed (the common ones are refused by the service). */
const NewPassword = () => applyDecorators(IsString(), Length(8, 128), ApiProperty({ minLength: 8, maxLength: 128 }));

export class SignupRequestDto {
  /** @example dayeon@example.com */
  @EmailAddress()
  email!: string;

  /** 8 to 128 characters, taken exactly as typed; common passwords are refused. @example correct horse battery */
  @NewPassword()
  password!: string;

  /** @example 김다연 */
  @Trim()
  @IsString()
  @Length(1, 50)
  nickname!: string;
}

export class VerifyEmailRequestDto {
  @EmailAddress()
  email!: string;

  /** The 6-digit code from the mail. @example 042917 */
  @MailedCode()
  code!: string;

  /** The password given at signup: proving the address activates only the signup it belongs to. */
  @IsString()
  @Length(1, 128)
  password!: string;
}

export class ResendCodeRequestDto {
  @EmailAddress()
  email!: string;
}

export class LoginRequestDto {
  @EmailAddress()
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
  @EmailAddress()
  email!: string;
}

export class ResetPasswordRequestDto {
  @EmailAddress()
  email!: string;

  /** The 6-digit code from the reset mail. @example 042917 */
  @MailedCode()
  code!: string;

  /** 8 to 128 characters, taken exactly as typed; common passwords are refused. */
  @NewPassword()
  newPassword!: string;
}

export class ChangePasswordRequestDto {
  @IsString()
  @Length(1, 128)
  currentPassword!: string;

  /** 8 to 128 characters, taken exactly as typed; common passwords are refused. */
  @NewPassword()
  newPassword!: string;
}

export class CloseAccountRequestDto {
  /** The account's password; accounts without one (Kakao) send none and need a sign-in less than 10 minutes old. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  password?: string;
}
