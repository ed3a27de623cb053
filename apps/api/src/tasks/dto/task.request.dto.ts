import { ListQueryDto, Omittable, Trim } from '@app/core';
import { TaskStatus } from '@app/database';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import {
  IsEnum,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const DUE_AT_MESSAGE = 'dueAt must be an ISO-8601 time with a time zone';

/** An ISO-8601 time with a time zone, and a real one (no 2026-02-30 or 25:61). */
const IsDueAt = () =>
  applyDecorators(
    Matches(ISO_TIME, { message: DUE_AT_MESSAGE }),
    IsISO8601({ strict: true, strictSeparator: true }, { message: DUE_AT_MESSAGE }),
  );

export class CreateTaskRequestDto {
  /** @example 배포 체크리스트 정리 */
  @Trim()
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
  @ApiProperty({ required: false, format: 'date-time' })
  @IsOptional()
  @IsDueAt()
  dueAt?: string;
}

export class UpdateTaskRequestDto {
  /** The version the change is based on; a stale one answers 409 VERSION_CONFLICT. */
  @ApiProperty({ type: 'integer', minimum: 1 })
  @IsInt()
  @Min(1)
  version!: number;

  @Omittable()
  @Trim()
  @IsString()
  @Length(1, 200)
  title?: string;

  @Omittable()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @Omittable()
  @IsEnum(TaskStatus)
  status?: TaskStatus;

  /** A member, or null to unassign. */
  @ValidateIf((_dto, value) => value !== null)
  @IsOptional()
  @IsUUID()
  assigneeId?: string | null;

  /** ISO-8601 with a time zone, or null to clear. */
  @ApiProperty({ required: false, nullable: true, type: String, format: 'date-time' })
  @ValidateIf((_dto, value) => value !== null)
  @IsOptional()
  @IsDueAt()
  dueAt?: string | null;
}

const ME_OR_UUID = /^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export class ListTasksQueryDto extends ListQueryDto {
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
