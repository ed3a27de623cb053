import { ApiProperty } from '@nestjs/swagger';

export interface PageMeta {
  page: number;
  perPage: number;
  total: number;
  totalPages: number;
}

export interface Page<T> {
  items: T[];
  meta: PageMeta;
}

export function pageOf<T>(items: T[], total: number, query: { page: number; perPage: number }): Page<T> {
  return {
    items,
    meta: { page: query.page, perPage: query.perPage, total, totalPages: Math.ceil(total / query.perPage) },
  };
}

/** `meta` of a numbered page, for the OpenAPI document. */
export class PageMetaDto implements PageMeta {
  @ApiProperty({ type: 'integer', example: 1 })
  page!: number;
  @ApiProperty({ type: 'integer', example: 20 })
  perPage!: number;
  @ApiProperty({ type: 'integer', example: 57 })
  total!: number;
  @ApiProperty({ type: 'integer', example: 3 })
  totalPages!: number;
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
