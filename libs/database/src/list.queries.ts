import { cursorPageOf, MAX_COUNTED_ROWS, pageOf, type List, type ListWindow } from '@app/core';
import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** The statements of one list: its rows (with display joins), and the same filter without them, for counting. */
export interface ListQueries<T extends ObjectLiteral> {
  rows: SelectQueryBuilder<T>;
  /** Defaults to `rows`. */
  counted?: SelectQueryBuilder<T>;
}

/**
 * Counts what a statement names, given a string that identifies it (SQL and parameters) and the way to count it; the
 * router passes one that caches for a few seconds.
 */
export type Counter = (statement: string, count: () => Promise<number>) => Promise<number>;

const counting = (manager: EntityManager, counted: SelectQueryBuilder<ObjectLiteral>) => {
  // At most MAX_COUNTED_ROWS + 1 rows are read, however many match: enough to tell "exactly n" from "too many".
  const [rows, parameters] = counted
    .select('1')
    .limit(MAX_COUNTED_ROWS + 1)
    .getQueryAndParameters();
  const sql = `SELECT count(*)::int AS "total" FROM (${rows}) AS "counted"`;
  const count = async () => {
    const [row] = await manager.query<{ total: number }[]>(sql, parameters);
    return row.total;
  };
  return { statement: `${sql} -- ${JSON.stringify(parameters)}`, count };
};

/**
 * Runs a list query for a window, ordered by (`createdAt`, `id`) of `alias` in the window's order.
 *
 * A numbered page reads `perPage + 1` rows (the extra one says whether another page follows): page 1 with LIMIT,
 * any other first their ids with LIMIT/OFFSET over `counted`, then those rows with the joins of `rows` (a deferred
 * join). It knows its total without counting when it is the last page; otherwise it counts `counted` (the same filter
 * without the joins that only add display columns) up to MAX_COUNTED_ROWS + 1 rows, through `counter`. Pages that
 * start past MAX_COUNTED_ROWS are refused before they get here (`listWindowOf`), so no numbered page reads more than
 * about that many rows, whatever the table's size.
 *
 * A keyset page reads `limit + 1` rows after the cursor's position: an index range scan at any depth, and no row
 * skipped or repeated when rows are added between pages.
 *
 * The joins of `rows` must be many-to-one (they never multiply rows), so LIMIT counts rows of `alias`.
 */
export async function fetchList<T extends ObjectLiteral & { createdAt: Date; id: string }>(
  manager: EntityManager,
  { rows: query, counted = query }: ListQueries<T>,
  alias: string,
  window: ListWindow,
  counter: Counter = (_statement, count) => count(),
): Promise<List<T>> {
  const countQuery = counted.clone();
  const direction = window.order === 'newest' ? 'DESC' : 'ASC';
  query.orderBy(`${alias}.createdAt`, direction).addOrderBy(`${alias}.id`, direction);
  if (window.kind === 'page') {
    const offset = (window.page - 1) * window.perPage;
    const take = window.perPage + 1;
    let rows: T[];
    if (offset === 0) {
      rows = await query.limit(take).getMany();
    } else {
      // A deferred join: the page's ids come from the filter alone (an index scan that skips `offset` entries), then
      // only those rows are read with their joins, rather than joining every skipped row as OFFSET over the joins
      // would. Two statements on one connection: a subquery could be planned to run once per outer row.
      const ids = await countQuery
        .clone()
        .select(`${alias}.id`, 'id')
        .orderBy(`${alias}.createdAt`, direction)
        .addOrderBy(`${alias}.id`, direction)
        .offset(offset)
        .limit(take)
        .getRawMany<{ id: string }>();
      rows =
        ids.length === 0
          ? []
          : await query.andWhere(`${alias}.id IN (:...pageIds)`, { pageIds: ids.map((row) => row.id) }).getMany();
    }
    const hasNext = rows.length > window.perPage;
    const items = rows.slice(0, window.perPage);
    // The last page (or an empty first one) says how many rows there are; any other page counts them.
    let total = offset + items.length;
    if (hasNext || (items.length === 0 && offset > 0)) {
      const { statement, count } = counting(manager, countQuery);
      total = await counter(statement, count);
    }
    return { kind: 'page', page: pageOf(items, hasNext, total, window) };
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
