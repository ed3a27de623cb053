import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `?page=1&perPage=20` (perPage 1..100). */
export class PageQueryDto {
  /** 1-based page number. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page: number = 1;

  /** Items per page. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  perPage: number = 20;
}

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

export function pageOf<T>(items: T[], total: number, query: Pick<PageQueryDto, 'page' | 'perPage'>): Page<T> {
  return {
    items,
    meta: { page: query.page, perPage: query.perPage, total, totalPages: Math.ceil(total / query.perPage) },
  };
}

/** `meta` of a numbered page, for the OpenAPI document. */
export class PageMetaDto implements PageMeta {
  @ApiProperty({ example: 1 })
  page!: number;
  @ApiProperty({ example: 20 })
  perPage!: number;
  @ApiProperty({ example: 57 })
  total!: number;
  @ApiProperty({ example: 3 })
  totalPages!: number;
}

/** `meta` of a cursor page, for the OpenAPI document. */
export class CursorMetaDto {
  @ApiProperty({ example: 20 })
  limit!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass it as `cursor` for the next page; null on the last page.',
  })
  nextCursor!: string | null;
}
