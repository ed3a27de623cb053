import type { List, ListWindow } from '@app/core';
import { BoardEntity, CompiledSelect, Database } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';

export interface BoardFilter {
  authorId?: string;
}

/** The boards table. Lists and reads go to the replica (read-your-writes keeps a writer's own rows fresh). */
@Injectable()
export class BoardsRepository {
  /** A board by id, the hottest read after the list: rendered once. */
  private readonly liveById = new CompiledSelect<BoardEntity, [id: string]>(1, (manager, id) =>
    this.live(manager).andWhere('board.id = :id', { id }),
  );

  constructor(private readonly database: Database) {}

  findLive(id: string): Promise<BoardEntity | null> {
    return this.database.read((manager) => this.liveById.one(manager, id));
  }

  list(filter: BoardFilter, window: ListWindow): Promise<List<BoardEntity>> {
    const filtered = (query: SelectQueryBuilder<BoardEntity>) =>
      filter.authorId ? query.andWhere('board.authorId = :authorId', { authorId: filter.authorId }) : query;
    return this.database.readList('board', window, (manager) => ({
      rows: filtered(this.live(manager)),
      counted: filtered(this.rows(manager)),
    }));
  }

  create(authorId: string, title: string, content: string): Promise<BoardEntity> {
    return this.database.transaction(async (manager) => {
      const { id } = await manager.save(manager.create(BoardEntity, { authorId, title, content }));
      return this.live(manager).andWhere('board.id = :id', { id }).getOneOrFail();
    });
  }

  /** Locks the live row for a change in the same transaction, or null when there is none. */
  lockLive(manager: EntityManager, id: string): Promise<BoardEntity | null> {
    return manager
      .createQueryBuilder(BoardEntity, 'board')
      .setLock('pessimistic_write')
      .where('board.id = :id AND board.deletedAt IS NULL', { id })
      .getOne();
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.database.transaction(work);
  }

  async update(
    manager: EntityManager,
    id: string,
    changes: Partial<Pick<BoardEntity, 'title' | 'content'>>,
  ): Promise<BoardEntity> {
    await manager.update(BoardEntity, { id }, changes);
    return this.live(manager).andWhere('board.id = :id', { id }).getOneOrFail();
  }

  async softDelete(manager: EntityManager, id: string): Promise<void> {
    await manager.softDelete(BoardEntity, { id });
  }

  /** Live boards with their author's id and nickname. */
  private live(manager: EntityManager): SelectQueryBuilder<BoardEntity> {
    return this.rows(manager).innerJoin('board.author', 'author').addSelect(['author.id', 'author.nickname']);
  }

  private rows(manager: EntityManager): SelectQueryBuilder<BoardEntity> {
    return manager.createQueryBuilder(BoardEntity, 'board').where('board.deletedAt IS NULL');
  }
}
