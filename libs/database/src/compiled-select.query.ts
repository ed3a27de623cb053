import type { DataSource, EntityManager, EntityMetadata, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { RelationMetadata } from 'typeorm/metadata/RelationMetadata.js';

/** Stands for the n-th argument while TypeORM renders the statement; the rendered parameters say where it went. */
const SLOT = '\u0000argument:';

interface Compiled<A extends unknown[]> {
  sql: string;
  /** Each rendered parameter: an argument, or a constant of the query. */
  parameters: ((args: A) => unknown)[];
  /** The main alias first. */
  parts: Part[];
}

/** An alias of the statement and the columns of it that are selected; a joined one, the relation it fills. */
interface Part {
  metadata: EntityMetadata;
  columns: { column: ColumnMetadata; key: string }[];
  /** The main alias's relation that holds this part's entity (absent for the main alias). */
  relation?: RelationMetadata;
}

/**
 * A SELECT that TypeORM renders once, on its first use, and that the hottest reads then run as it is:
 * no query building and no result transformer on each call, which on a read by primary key cost more than the rest
 * of the handler. Rows are hydrated as TypeORM hydrates them (each column's driver conversion, into an instance of
 * the entity), for the main alias and its many-to-one joins with the columns they select: the same entity a
 * `getOne()` of the same query builder gives.
 *
 * `build` receives one placeholder per argument, to pass as the values of the query's parameters (scalars: a
 * `:...list` parameter would be spread at render time); it runs once, on the first call, with that call's DataSource.
 */
export class CompiledSelect<T extends ObjectLiteral, A extends unknown[]> {
  private compiled?: Compiled<A>;

  constructor(
    private readonly arity: A['length'],
    private readonly build: (manager: EntityManager, ...args: string[]) => SelectQueryBuilder<T>,
  ) {}

  /** The first row, hydrated, or null. The first call renders the statement (entity metadata exists by then). */
  async one(manager: EntityManager, ...args: A): Promise<T | null> {
    this.compiled ??= this.compile(manager.connection);
    const { sql, parameters } = this.compiled;
    const rows = await manager.query<Record<string, unknown>[]>(
      sql,
      parameters.map((parameter) => parameter(args)),
    );
    return rows.length === 0 ? null : this.hydrate(manager, rows[0]);
  }

  private compile(dataSource: DataSource): Compiled<A> {
    const query = this.build(dataSource.manager, ...Array.from({ length: this.arity }, (_, i) => `${SLOT}${i}`));
    const [sql, parameters] = query.getQueryAndParameters();
    return {
      sql,
      parameters: parameters.map((value: unknown) => {
        if (typeof value !== 'string' || !value.startsWith(SLOT)) return () => value;
        const index = Number(value.slice(SLOT.length));
        return (args: A) => args[index];
      }),
      parts: partsOf(query, dataSource.driver.maxAliasLength ?? 63),
    };
  }

  private hydrate(manager: EntityManager, row: Record<string, unknown>): T {
    const driver = manager.connection.driver;
    const entityOf = ({ metadata, columns }: Part) => {
      const entity = metadata.create() as ObjectLiteral;
      for (const { column, key } of columns)
        column.setEntityValue(entity, driver.prepareHydratedValue(row[key], column));
      return entity;
    };
    const [main, ...joined] = this.compiled!.parts;
    const entity = entityOf(main);
    for (const part of joined) {
      // A joined row that is all NULL is no row (a LEFT JOIN that found nothing).
      const found = part.columns.some(({ key }) => row[key] !== null);
      part.relation!.setEntityValue(entity, found ? entityOf(part) : null);
    }
    return entity as T;
  }
}

/** The aliases a query selects, the main one first, with each selected column's key in the result row. */
function partsOf(query: SelectQueryBuilder<ObjectLiteral>, maxAliasLength: number): Part[] {
  const { expressionMap } = query;
  const selections = new Set(expressionMap.selects.map((select) => select.selection));
  const columnsOf = (alias: string, metadata: EntityMetadata) =>
    metadata.columns
      .filter((column) => (selections.has(alias) ? column.isSelect : selections.has(`${alias}.${column.propertyPath}`)))
      .map((column) => {
        const key = `${alias}_${column.databaseName}`;
        // TypeORM shortens longer aliases into hashes; none of ours is that long, and none may become so unnoticed.
        if (key.length > maxAliasLength) throw new Error(`column alias ${key} is too long to compile`);
        return { column, key };
      });
  const main = expressionMap.mainAlias!;
  const parts: Part[] = [{ metadata: main.metadata, columns: columnsOf(main.name, main.metadata) }];
  for (const join of expressionMap.joinAttributes) {
    const { relation } = join;
    if (!relation || join.parentAlias !== main.name || !(relation.isManyToOne || relation.isOneToOneOwner)) {
      throw new Error(`only many-to-one joins of the main alias compile (${join.alias.name})`);
    }
    const columns = columnsOf(join.alias.name, relation.inverseEntityMetadata);
    if (columns.length > 0) parts.push({ metadata: relation.inverseEntityMetadata, columns, relation });
  }
  return parts;
}
