import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import type { CursorMeta } from '../pagination/cursor.codec.js';
import { ApiProblem } from './api-problem.decorator.js';
import type { List } from '../pagination/list-query.dto.js';
import { CursorMetaDto, PageMetaDto, type PageMeta } from '../pagination/page.dto.js';

/**
 * The two kinds of list answer. Each says with `not` that its `meta` is not the other's, so that exactly one of them
 * matches any answer, as `oneOf` requires (a meta of both kinds at once would match neither).
 */
const PAGE_KINDS = [
  { meta: PageMetaDto, description: 'A numbered page (`page`, `perPage`)', not: CursorMetaDto },
  { meta: CursorMetaDto, description: 'A keyset page (`limit`, `cursor`)', not: PageMetaDto },
] as const;

/**
 * Documents a list answer: `{ items, meta }` with the meta of a numbered page or of a keyset page, and the 400s that
 * every list's parameters can earn.
 */
export const ApiListResponse = (item: Type): MethodDecorator =>
  applyDecorators(
    ApiProblem([
      400,
      'VALIDATION_FAILED (bad cursor, both modes at once, out of range), or PAGE_TOO_DEEP (a numbered page that ' +
        'starts past row 10 000: use cursor mode)',
    ]),
    ApiExtraModels(item, PageMetaDto, CursorMetaDto),
    ApiOkResponse({
      description: 'A numbered page, or a keyset page when the request used `limit` or `cursor`',
      schema: {
        oneOf: PAGE_KINDS.map(({ meta, description, not }) => ({
          type: 'object',
          description,
          required: ['items', 'meta'],
          properties: {
            items: { type: 'array', items: { $ref: getSchemaPath(item) } },
            meta: { $ref: getSchemaPath(meta) },
          },
          not: { properties: { meta: { $ref: getSchemaPath(not) } } },
        })),
      },
    }),
  );

/** The body of a list answer. */
export interface ListBody<R> {
  items: R[];
  meta: PageMeta | CursorMeta;
}

/** The body of a list answer, with its items mapped to response bodies. */
export const listBody = <T, R>(list: List<T>, map: (item: T) => R): ListBody<R> => ({
  items: list.page.items.map(map),
  meta: list.page.meta,
});
