import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '../errors/app-error.js';
import { ErrorCode } from '../errors/error-code.js';
import { decodeCursor, type CursorPage, type KeysetPosition } from './cursor.js';
import type { Page } from './page.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;
export const MAX_PAGE_NUMBER = 100_000;

export const LIST_SORTS = ['-createdAt', 'createdAt'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export type ListOrder = 'newest' | 'oldest';

/**
 * The parameters every list takes (API.md "Lists"): a numbered page (`page`, `perPage`, with `total`) or a keyset page
 * (`limit`, then `cursor` from the last answer), not both; newest first unless `sort` says otherwise.
 */
export class ListQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_NUMBER,
    description: '1-based page number (numbered mode; 1 when left out).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_NUMBER)
  page?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    description: `Items per page (numbered mode; ${DEFAULT_PAGE_SIZE} when left out).`,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  perPage?: number;

  @ApiPropertyOptional({ maxLength: 200, description: 'Opaque position from `meta.nextCursor` (keyset mode).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    description: `Items per page (keyset mode; ${DEFAULT_PAGE_SIZE} when left out).`,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ enum: LIST_SORTS, description: '`-createdAt` (newest first, when left out) or `createdAt`.' })
  @IsOptional()
  @IsIn(LIST_SORTS)
  sort?: ListSort;
}

/** Which slice of a list a request asks for. */
export type ListWindow =
  | { kind: 'page'; order: ListOrder; page: number; perPage: number }
  | { kind: 'cursor'; order: ListOrder; limit: number; after?: KeysetPosition };

/** A list answer in the mode it was asked in. */
export type List<T> = { kind: 'page'; page: Page<T> } | { kind: 'cursor'; page: CursorPage<T> };

/** The window a list query asks for; 400 when it mixes both modes or carries a cursor this API never gave. */
export function listWindowOf(query: ListQueryDto): ListWindow {
  const order: ListOrder = query.sort === 'createdAt' ? 'oldest' : 'newest';
  const keyset = query.cursor !== undefined || query.limit !== undefined;
  if (!keyset) {
    return { kind: 'page', order, page: query.page ?? 1, perPage: query.perPage ?? DEFAULT_PAGE_SIZE };
  }
  if (query.page !== undefined || query.perPage !== undefined) {
    throw new AppError(ErrorCode.ValidationFailed, 'Use either page/perPage or cursor/limit, not both', {
      errors: [{ field: 'page', message: 'page and perPage cannot be combined with cursor or limit' }],
    });
  }
  return {
    kind: 'cursor',
    order,
    limit: query.limit ?? DEFAULT_PAGE_SIZE,
    after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
  };
}
