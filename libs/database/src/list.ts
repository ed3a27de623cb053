import { cursorPageOf, pageOf, type List, type ListWindow } from '@app/core';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Runs a list query for a window, ordered by (`createdAt`, `id`) of `alias` in the window's order. A numbered page
 * counts the total (OFFSET: fine for the first pages a person clicks through); a keyset page reads `limit + 1` rows
 * after the cursor's position: an index range scan at any depth, and no row skipped or repeated when rows are added
 * between pages.
 */
export async function fetchList<T extends ObjectLiteral & { createdAt: Date; id: string }>(
  query: SelectQueryBuilder<T>,
  alias: string,
  window: ListWindow,
): Promise<List<T>> {
  const direction = window.order === 'newest' ? 'DESC' : 'ASC';
  query.orderBy(`${alias}.createdAt`, direction).addOrderBy(`${alias}.id`, direction);
  if (window.kind === 'page') {
    const [items, total] = await query
      .skip((window.page - 1) * window.perPage)
      .take(window.perPage)
      .getManyAndCount();
    return { kind: 'page', page: pageOf(items, total, window) };
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
