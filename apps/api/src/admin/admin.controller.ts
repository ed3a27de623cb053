import { ApiProblem, Auth, CurrentUser, type AuthUser } from '@app/core';
import { Role } from '@app/database';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminUserResponseDto } from '@api/users';
import { AdminService } from './admin.service.js';
import { ChangeRoleRequestDto, ListUsersQueryDto } from './dto/admin.request.dto.js';
import { AdminUserPageResponseDto } from './dto/admin.response.dto.js';

@ApiTags('Admin')
@Auth(Role.Admin)
@Controller('admin/users')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  /** Users, newest first; `q` searches email and nickname. */
  @Get()
  async list(@Query() query: ListUsersQueryDto): Promise<AdminUserPageResponseDto> {
    return AdminUserPageResponseDto.from(await this.admin.list(query.q, query.page, query.perPage));
  }

  /** Changes a user's role; their sessions and tokens end. */
  @Patch(':id/role')
  @ApiProblem([404, 'No such user'])
  async changeRole(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChangeRoleRequestDto,
  ): Promise<AdminUserResponseDto> {
    return AdminUserResponseDto.from(await this.admin.changeRole(caller.id, id, body.role));
  }

  /** Suspends a user: every session and token ends now. */
  @Post(':id/ban')
  @HttpCode(200)
  @ApiProblem([404, 'No such user'])
  async ban(@CurrentUser() caller: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<AdminUserResponseDto> {
    return AdminUserResponseDto.from(await this.admin.ban(caller.id, id));
  }

  /** Lifts a suspension. */
  @Post(':id/unban')
  @HttpCode(200)
  @ApiProblem([404, 'No such user'])
  async unban(@CurrentUser() caller: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<AdminUserResponseDto> {
    return AdminUserResponseDto.from(await this.admin.unban(caller.id, id));
  }
}
