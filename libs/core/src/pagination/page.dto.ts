import { ApiProperty } from '@nestjs/swagger';

/**
 * How far numbered pages reach, and up to how many matching rows their total is exact (API.md "Lists"): a count never
 * reads more than this many rows, so a numbered page costs the same on any table size. Cursor mode reaches any depth.
 */
export const MAX_COUNTED_ROWS = 10_000;

export interface PageMeta {
  page: number;
  perPage: number;
  /** Exact while at most MAX_COUNTED_ROWS rows match; null beyond. */
  total: number | null;
  totalPages: number | null;
  hasNext: boolean;
}

export interface Page<T> {
  items: T[];
  meta: PageMeta;
}

/**
 * A numbered page from its items, whether a further row exists, and the number of matching rows counted up to
 * MAX_COUNTED_ROWS + 1 (more than MAX_COUNTED_ROWS means "too many to say").
 */
export function pageOf<T>(
  items: T[],
  hasNext: boolean,
  counted: number,
  query: { page: number; perPage: number },
): Page<T> {
  const total = counted > MAX_COUNTED_ROWS ? null : counted;
  return {
    items,
    meta: {
      page: query.page,
      perPage: query.perPage,
      total,
      totalPages: total === null ? null : Math.ceil(total / query.perPage),
      hasNext,
    },
  };
}

/** `meta` of a numbered page, for the OpenAPI document. */
export class PageMetaDto implements PageMeta {
  @ApiProperty({ type: 'integer', example: 1 })
  page!: number;
  @ApiProperty({ type: 'integer', example: 20 })
  perPage!: number;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 57,
    description: `Matching rows; exact up to ${MAX_COUNTED_ROWS.toLocaleString('en')}, null beyond.`,
  })
  total!: number | null;
  @ApiProperty({ type: 'integer', nullable: true, example: 3, description: 'null when `total` is.' })
  totalPages!: number | null;
  @ApiProperty({ description: 'Whether another page follows, also when `total` is null.', example: true })
  hasNext!: boolean;
}

/** `meta` of a cursor page, for the OpenAPI document. */
export class CursorMetaDto {
  @ApiProperty({ type: 'integer', example: 20 })
  limit!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass it as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
