import {
  ApiListResponse,
  ApiProblem,
  Auth,
  CurrentUser,
  IdParam,
  listBody,
  type ListBody,
  listWindowOf,
  type AuthUser,
  Role,
} from '@app/core';
import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { AdminUserResponseDto } from '@api/users';
import { AdminService } from './admin.service.js';
import { ChangeRoleRequestDto, ListUsersQueryDto } from './dto/admin.request.dto.js';

@ApiTags('Admin')
@Auth(Role.Admin)
@Controller('admin/users')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  /** Users, newest first: a numbered page (`page`, `perPage`) or a keyset page (`limit`, `cursor`); `q` searches email and nickname. */
  @Get()
  @ApiListResponse(AdminUserResponseDto)
  async list(@Query() query: ListUsersQueryDto): Promise<ListBody<AdminUserResponseDto>> {
    return listBody(await this.admin.list(query.q, listWindowOf(query)), (user) => AdminUserResponseDto.from(user));
  }

  /** Changes a user's role; their sessions and tokens end. */
  @Patch(':id/role')
  @ApiProblem([404, 'No such user'])
  async changeRole(
    @CurrentUser() caller: AuthUser,
    @IdParam() id: string,
    @Body() body: ChangeRoleRequestDto,
  ): Promise<AdminUserResponseDto> {
    return AdminUserResponseDto.from(await this.admin.changeRole(caller.id, id, body.role));
  }

  /** Suspends a user: every session and token ends now. */
  @Post(':id/ban')
  @HttpCode(200)
  @ApiProblem([404, 'No such user'])
  async ban(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<AdminUserResponseDto> {
    return AdminUserResponseDto.from(await this.admin.ban(caller.id, id));
  }

  /** Lifts a suspension. */
  @Post(':id/unban')
  @HttpCode(200)
  @ApiProblem([404, 'No such user'])
  async unban(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<AdminUserResponseDto> {
    return AdminUserResponseDto.from(await this.admin.unban(caller.id, id));
  }
}
