import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '../errors/app.error.js';
import { ErrorCode } from '../errors/error-code.enum.js';
import { decodeCursor, type CursorPage, type KeysetPosition } from './cursor.codec.js';
import { MAX_COUNTED_ROWS, type Page } from './page.dto.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

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
    description:
      `1-based page number (numbered mode; 1 when left out). Numbered pages reach the first ` +
      `${MAX_COUNTED_ROWS.toLocaleString('en')} rows: a page that starts past them answers 400 PAGE_TOO_DEEP ` +
      '(use cursor mode to go deeper).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
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

function pageTooDeep(page: number, perPage: number): AppError {
  const reach = MAX_COUNTED_ROWS.toLocaleString('en');
  return new AppError(
    ErrorCode.PageTooDeep,
    `Numbered pages reach the first ${reach} rows, and page ${page} of ${perPage} starts past them: ` +
      'use cursor mode (limit, then the cursor of each answer) to go deeper',
    { errors: [{ field: 'page', message: `page must start within the first ${reach} rows` }] },
  );
}

/** A list answer in the mode it was asked in. */
export type List<T> = { kind: 'page'; page: Page<T> } | { kind: 'cursor'; page: CursorPage<T> };

/**
 * The window a list query asks for; 400 when it mixes both modes, carries a cursor this API never gave, or asks for a
 * numbered page that starts past the rows numbered pages reach (PAGE_TOO_DEEP).
 */
export function listWindowOf(query: ListQueryDto): ListWindow {
  const order: ListOrder = query.sort === 'createdAt' ? 'oldest' : 'newest';
  const keyset = query.cursor !== undefined || query.limit !== undefined;
  if (!keyset) {
    const page = query.page ?? 1;
    const perPage = query.perPage ?? DEFAULT_PAGE_SIZE;
    if ((page - 1) * perPage >= MAX_COUNTED_ROWS) throw pageTooDeep(page, perPage);
    return { kind: 'page', order, page, perPage };
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
