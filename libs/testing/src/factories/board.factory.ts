import { randomUUID } from 'node:crypto';
import { FixtureWriter, type FixtureTarget } from './fixture.writer.js';

export interface BoardFixtureOptions {
  authorId: string;
  /** Defaults to `board <hex>`. */
  title?: string;
  content?: string;
  /** Defaults to now (the database's clock). */
  createdAt?: Date;
  /** A soft-deleted board; defaults to a live one. */
  deletedAt?: Date | null;
}

export interface FixtureBoard {
  id: string;
  authorId: string;
  title: string;
  content: string;
  createdAt: Date;
  deletedAt: Date | null;
}

interface BoardRow {
  id: string;
  author_id: string;
  title: string;
  content: string;
  created_at: Date;
  deleted_at: Date | null;
}

/** Boards written straight into the database, for tests about what is done with them rather than how they are made. */
export class BoardFactory {
  private readonly writer: FixtureWriter;

  constructor(target: FixtureTarget) {
    this.writer = new FixtureWriter(target);
  }

  async create(options: BoardFixtureOptions): Promise<FixtureBoard> {
    const [board] = await this.createMany(1, () => options);
    return board;
  }

  /** `count` boards in one transaction, the i-th with `options(i)`. */
  async createMany(count: number, options: (index: number) => BoardFixtureOptions): Promise<FixtureBoard[]> {
    const rows = await this.writer.insert<BoardRow>(
      'boards',
      Array.from({ length: count }, (_, index) => {
        const given = options(index);
        const id = randomUUID();
        return {
          id,
          author_id: given.authorId,
          title: given.title ?? `board ${id.slice(0, 8)}`,
          content: given.content ?? 'fixture content',
          created_at: given.createdAt,
          deleted_at: given.deletedAt ?? null,
        };
      }),
    );
    return rows.map((row) => ({
      id: row.id,
      authorId: row.author_id,
      title: row.title,
      content: row.content,
      createdAt: row.created_at,
      deletedAt: row.deleted_at,
    }));
  }
}
