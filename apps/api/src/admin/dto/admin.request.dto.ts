import { PageQueryDto } from '@app/core';
import { Role } from '@app/database';
import { Transform } from 'class-transformer';
import { IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';

export class ListUsersQueryDto extends PageQueryDto {
  /** Part of an email or a nickname, case-insensitive. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class ChangeRoleRequestDto {
  @IsEnum(Role)
  role!: Role;
}
