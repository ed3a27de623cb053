import {
  ApiProblem,
  AppError,
  Auth,
  CurrentUser,
  ErrorCode,
  IdParam,
  NotFoundError,
  Public,
  type AuthUser,
} from '@app/core';
import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UserResponseDto } from '@api/users';
import { AUTH_CONFIG, type AuthConfig } from './auth.config.js';
import { AuthService } from './auth.service.js';
import { Client } from './guards/client-info.decorator.js';
import { DeviceCookieSigner } from './email/device-cookie.signer.js';
import {
  ForgotPasswordRequestDto,
  LoginRequestDto,
  RefreshRequestDto,
  ResendCodeRequestDto,
  ResetPasswordRequestDto,
  SignupRequestDto,
  VerifyEmailRequestDto,
} from './dto/auth.request.dto.js';
import { PasswordsService } from './email/passwords.service.js';
import { SessionResponseDto, SignupResponseDto, TokenResponseDto } from './dto/auth.response.dto.js';
import { answerSignedIn, clearRefreshCookie, refreshCookieOf } from './sessions/refresh.cookie.js';
import type { ClientInfo } from './sessions/session.store.js';

@ApiTags('Auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly passwords: PasswordsService,
    private readonly devices: DeviceCookieSigner,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * Signs up: the account is created once the address is proven with the mailed 6-digit code (at most one mail a
   * minute per address). The answer is the same whether or not other signups wait for the address.
   */
  @Public()
  @Post('signup')
  @ApiProblem([400, 'Invalid input or a common password'], [409, 'EMAIL_TAKEN'], [429, 'RATE_LIMITED'])
  async signup(@Body() body: SignupRequestDto, @Client() client: ClientInfo): Promise<SignupResponseDto> {
    return { user: UserResponseDto.pending(body.email, await this.auth.signup(body, client)) };
  }

  /**
   * Proves the address with the mailed code (10 minutes, 5 tries) and the signup's password, which creates that
   * signup's account and signs it in; sets the refresh cookie and a device cookie, as login does.
   */
  @Public()
  @Post('email/verify')
  @HttpCode(200)
  @ApiProblem(
    [400, 'INVALID_VERIFICATION_CODE: the code or the password is wrong, or the code is used up'],
    [409, 'EMAIL_TAKEN'],
    [429, 'RATE_LIMITED'],
  )
  async verifyEmail(
    @Body() body: VerifyEmailRequestDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    const signedIn = await this.auth.verifyEmail(body.email, body.code, body.password, client);
    this.devices.set(reply, signedIn.deviceCookie);
    return answerSignedIn(reply, this.config.secureCookies, signedIn);
  }

  /** Mails a new code; answers 202 whether or not the address has an account. */
  @Public()
  @Post('email/resend')
  @HttpCode(202)
  @ApiProblem([429, 'RATE_LIMITED'])
  async resendCode(@Body() body: ResendCodeRequestDto, @Client() client: ClientInfo): Promise<void> {
    await this.auth.resendCode(body.email, client);
  }

  /**
   * Mails a 6-digit reset code to the address's account, if it has a password (one mail a minute per address, shared
   * with signup and resend); answers 202 whether or not the address is registered.
   */
  @Public()
  @Post('password/forgot')
  @HttpCode(202)
  @ApiProblem([429, 'RATE_LIMITED'])
  async forgotPassword(@Body() body: ForgotPasswordRequestDto, @Client() client: ClientInfo): Promise<void> {
    await this.passwords.forgot(body.email, client);
  }

  /**
   * Sets a new password with the mailed reset code (10 minutes, 5 tries): every session and access token of the user
   * ends, and a notice is mailed. Sets a device cookie, as login does.
   */
  @Public()
  @Post('password/reset')
  @HttpCode(204)
  @ApiProblem([400, 'INVALID_VERIFICATION_CODE, or a common new password (VALIDATION_FAILED)'], [429, 'RATE_LIMITED'])
  async resetPassword(
    @Body() body: ResetPasswordRequestDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    this.devices.set(reply, await this.passwords.reset(body.email, body.code, body.newPassword, client));
  }

  /** Signs in with email and password; sets the refresh cookie, and a device cookie for its own login allowance. */
  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiProblem(
    [401, 'INVALID_CREDENTIALS'],
    [403, 'EMAIL_NOT_VERIFIED or ACCOUNT_BANNED (only with the right password)'],
    [429, 'RATE_LIMITED'],
  )
  async login(
    @Body() body: LoginRequestDto,
    @Req() request: FastifyRequest,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    const signedIn = await this.auth.login(body.email, body.password, client, this.devices.read(request));
    // This browser's own allowance of failed logins for the account, should it be guessed at from elsewhere.
    this.devices.set(reply, signedIn.deviceCookie);
    return answerSignedIn(reply, this.config.secureCookies, signedIn);
  }

  /** Rotates the refresh token (body or cookie): the presented one stops working. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiProblem(
    [401, 'INVALID_REFRESH_TOKEN, or TOKEN_REUSED (the login is ended)'],
    [403, "FORBIDDEN_ORIGIN: the refresh cookie came without one of the app's origins"],
    [429, 'RATE_LIMITED'],
    [503, 'DEPENDENCY_UNAVAILABLE: keep the token and retry'],
  )
  async refresh(
    @Body() body: RefreshRequestDto,
    @Req() request: FastifyRequest,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    const cookie = body.refreshToken === undefined ? refreshCookieOf(request) : undefined;
    // A browser sends the cookie whichever page asks, a sibling subdomain's included (SameSite does not tell them
    // apart): only the SPA's origins may spend it. A token in the body needs no such check.
    if (cookie !== undefined && !this.config.allowedOrigins.includes(request.headers.origin ?? '')) {
      throw new AppError(ErrorCode.ForbiddenOrigin, "The refresh cookie is accepted only from the app's own origins");
    }
    return answerSignedIn(
      reply,
      this.config.secureCookies,
      await this.auth.refresh(body.refreshToken ?? cookie, client),
    );
  }

  /** Ends this session and its access token now. */
  @Auth()
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() caller: AuthUser, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.logout(caller);
    clearRefreshCookie(reply, this.config.secureCookies);
  }

  /** Ends every session of the caller, on every device. */
  @Auth()
  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(@CurrentUser() caller: AuthUser, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    await this.auth.logoutEverywhere(caller.id);
    clearRefreshCookie(reply, this.config.secureCookies);
  }

  /** The caller's live sessions, newest first. */
  @Auth()
  @Get('sessions')
  async sessions(@CurrentUser() caller: AuthUser): Promise<SessionResponseDto[]> {
    const sessions = await this.auth.listSessions(caller.id);
    return sessions.map((session) => SessionResponseDto.from(session, caller.sessionId));
  }

  /** Ends one of the caller's sessions. */
  @Auth()
  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiProblem([404, 'No such session of yours'])
  async endSession(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<void> {
    if (!(await this.auth.endSession(caller.id, id))) throw new NotFoundError('Session');
  }
}
