import { ApiProblem, Auth, CurrentUser, type AuthUser } from '@app/core';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Client } from './client-info.decorator.js';
import { ChangePasswordRequestDto } from './dto/auth.request.dto.js';
import { PasswordsService } from './passwords.service.js';
import type { ClientInfo } from './session.store.js';

/** The signed-in user's credentials and account: `/users/me/...` routes that belong to auth. */
@ApiTags('Users')
@Auth()
@Controller('users/me')
export class AccountController {
  constructor(private readonly passwords: PasswordsService) {}

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
}
