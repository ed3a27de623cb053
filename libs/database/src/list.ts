import { cursorPageOf, pageOf, type List, type ListWindow } from '@app/core';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Runs a list query for a window, ordered by (`createdAt`, `id`) of `alias` in the window's order. A numbered page
 * reads its rows with LIMIT/OFFSET (fine for the first pages a person clicks through) and counts the total with
 * `counted`: the same filter without the joins that only add display columns, so the count is a plain `COUNT(*)` over
 * an index. A keyset page reads `limit + 1` rows after the cursor's position: an index range scan at any depth, and
 * no row skipped or repeated when rows are added between pages.
 *
 * The joins of `query` must be many-to-one (they never multiply rows), so LIMIT counts rows of `alias`.
 */
export async function fetchList<T extends ObjectLiteral & { createdAt: Date; id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  window: ListWindow,
  counted: SelectQueryBuilder<T> = query,
): Promise<List<T>> {
  const countQuery = counted.clone();
  const direction = window.order === 'newest' ? 'DESC' : 'ASC';
  query.orderBy(`${alias}.createdAt`, direction).addOrderBy(`${alias}.id`, direction);
  if (window.kind === 'page') {
    const items = await query
      .offset((window.page - 1) * window.perPage)
      .limit(window.perPage)
      .getMany();
    const count = await countQuery.select('COUNT(*)', 'total').getRawOne<{ total: string }>();
    return { kind: 'page', page: pageOf(items, Number(count?.total ?? 0), window) };
  }
  if (window.after) {
    const comparison = window.order === 'newest' ? '<' : '>';
    query.andWhere(`(${alias}.createdAt, ${alias}.id) ${comparison} (:afterCreatedAt, :afterId)`, {
      afterCreatedAt: window.after.createdAt,
      afterId: window.after.id,
    });
  }
  const rows = await query.limit(window.limit + 1).getMany();
  return { kind: 'cursor', page: cursorPageOf(rows, window.limit, (row) => row) };
}
