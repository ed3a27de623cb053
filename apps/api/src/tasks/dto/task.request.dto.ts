import { PageQueryDto } from '@app/core';
import { TaskStatus } from '@app/database';
import { Transform, Type } from 'class-transformer';
import {
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export class CreateTaskRequestDto {
  /** @example 배포 체크리스트 정리 */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title!: string;

  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  /** A member to assign; must exist and not be banned. */
  @IsOptional()
  @IsUUID()
  assigneeId?: string;

  /** ISO-8601 with a time zone. @example 2026-12-01T09:00:00Z */
  @IsOptional()
  @Matches(ISO_TIME, { message: 'dueAt must be an ISO-8601 time with a time zone' })
  dueAt?: string;
}

export class UpdateTaskRequestDto {
  /** The version the change is based on; a stale one answers 409 VERSION_CONFLICT. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version!: number;

  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title?: string;

  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @IsOptional()
  @IsEnum(TaskStatus)
  status?: TaskStatus;

  /** A member, or null to unassign. */
  @ValidateIf((_dto, value) => value !== null)
  @IsOptional()
  @IsUUID()
  assigneeId?: string | null;

  /** ISO-8601 with a time zone, or null to clear. */
  @ValidateIf((_dto, value) => value !== null)
  @IsOptional()
  @Matches(ISO_TIME, { message: 'dueAt must be an ISO-8601 time with a time zone' })
  dueAt?: string | null;
}

const ME_OR_UUID = /^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export class ListTasksQueryDto extends PageQueryDto {
  @IsOptional()
  @IsEnum(TaskStatus)
  status?: TaskStatus;

  /** A user id, or `me`. */
  @IsOptional()
  @Matches(ME_OR_UUID, { message: 'assigneeId must be a user id or me' })
  assigneeId?: string;

  /** A user id, or `me`. */
  @IsOptional()
  @Matches(ME_OR_UUID, { message: 'creatorId must be a user id or me' })
  creatorId?: string;
}
