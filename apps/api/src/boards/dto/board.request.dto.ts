import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, MaxLength, Min } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateBoardRequestDto {
  /** @example 이번 주 회의록 */
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title!: string;

  /** @example 월요일 10시 회의에서 정한 것들입니다. */
  @IsString()
  @Length(1, 20_000)
  content!: string;
}

export class UpdateBoardRequestDto {
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  title?: string;

  @IsOptional()
  @IsString()
  @Length(1, 20_000)
  content?: string;
}

export const BOARD_SORTS = ['-createdAt', 'createdAt'] as const;

/**
 * Either a numbered page (`page`, `perPage`, with `total`) or a keyset page (`limit`, then `cursor` from the last
 * answer), not both.
 */
export class ListBoardsQueryDto {
  /** 1-based page number (numbered mode). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;

  /** Items per page, 1..100, default 20 (numbered mode). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  perPage?: number;

  /** Opaque position from `meta.nextCursor` (keyset mode). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  /** Items per page, 1..100, default 20 (keyset mode). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  /** Only this author's boards. */
  @IsOptional()
  @IsUUID()
  authorId?: string;

  /** `-createdAt` (newest first, the default) or `createdAt`. */
  @IsOptional()
  @IsIn(BOARD_SORTS)
  sort?: (typeof BOARD_SORTS)[number];
}
