import { ApiProblem, Auth, CurrentUser, type AuthUser } from '@app/core';
import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Client } from '../guards/client-info.decorator.js';
import { AccountClosure } from './account-closure.service.js';
import { ChangePasswordRequestDto, CloseAccountRequestDto } from '../dto/auth.request.dto.js';
import { PasswordsService } from '../email/passwords.service.js';
import type { ClientInfo } from '../sessions/session.store.js';

/** The signed-in user's credentials and account: `/users/me/...` routes that belong to auth. */
@ApiTags('Users')
@Auth()
@Controller('users/me')
export class AccountController {
  constructor(
    private readonly passwords: PasswordsService,
    private readonly closure: AccountClosure,
  ) {}

  /** Changes the password: every other session ends (this one stays), and a notice is mailed. */
  @Post('password')
  @HttpCode(204)
  @ApiProblem(
    [400, 'A common new password (VALIDATION_FAILED)'],
    [403, 'WRONG_PASSWORD: the current password is not right'],
    [409, 'CONFLICT: the account signs in with Kakao and has no password'],
    [429, 'RATE_LIMITED'],
  )
  async changePassword(
    @CurrentUser() caller: AuthUser,
    @Body() body: ChangePasswordRequestDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.passwords.change(caller, body.currentPassword, body.newPassword, client);
  }

  /**
   * Closes the account: every session ends; email, password and Kakao id are erased and the nickname replaced (posts
   * stay, shown as a closed account); open tasks assigned to it become unassigned; a Kakao link is unlinked at Kakao.
   * The address is free for a new signup. Takes the password, or, for an account without one, a sign-in less than 10
   * minutes old.
   */
  @Delete()
  @HttpCode(204)
  @ApiProblem(
    [400, 'VALIDATION_FAILED: the account has a password and none was sent'],
    [403, 'WRONG_PASSWORD, or REAUTHENTICATION_REQUIRED: sign in again, then close within 10 minutes'],
    [429, 'RATE_LIMITED'],
  )
  async close(
    @CurrentUser() caller: AuthUser,
    @Body() body: CloseAccountRequestDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.closure.closeOwn(caller, body?.password, client);
  }
}
