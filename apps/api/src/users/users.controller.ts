import { Auth, CurrentUser, type AuthUser } from '@app/core';
import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { UpdateMeRequestDto } from './dto/update-me.request.dto.js';
import { UserResponseDto } from './dto/user.response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('Users')
@Auth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** The signed-in user. */
  @Get('me')
  async me(@CurrentUser() caller: AuthUser): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.me(caller.id));
  }

  /** Changes the nickname (the only field a user may change here). */
  @Patch('me')
  async updateMe(@CurrentUser() caller: AuthUser, @Body() body: UpdateMeRequestDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.rename(caller.id, body.nickname));
  }
}
