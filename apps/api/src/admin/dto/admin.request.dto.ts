import { ListQueryDto, Trim, Role } from '@app/core';
import { IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';

export class ListUsersQueryDto extends ListQueryDto {
  /** Part of an email or a nickname, case-insensitive. */
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ChangeRoleRequestDto {
  @IsEnum(Role)
  role!: Role;
}
