import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';
import type { CursorMeta } from '../pagination/cursor.js';
import { ApiProblem } from './api-problem.decorator.js';
import type { List } from '../pagination/list-query.js';
import { CursorMetaDto, PageMetaDto, type PageMeta } from '../pagination/page.js';

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
      schema: {
        oneOf: [PageMetaDto, CursorMetaDto].map((meta) => ({
          type: 'object',
          required: ['items', 'meta'],
          properties: {
            items: { type: 'array', items: { $ref: getSchemaPath(item) } },
            meta: { $ref: getSchemaPath(meta) },
          },
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
