import {
  ForbiddenError,
  NotFoundError,
  requireAnyField,
  type AuthUser,
  type List,
  type ListWindow,
  Role,
} from '@app/core';
import { type BoardEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { BoardsRepository, type BoardFilter } from './boards.repository.js';

/** The board's rules: anyone reads, members post, authors edit, authors and admins delete (softly). */
@Injectable()
export class BoardsService {
  constructor(private readonly boards: BoardsRepository) {}

  create(author: AuthUser, title: string, content: string): Promise<BoardEntity> {
    return this.boards.create(author.id, title, content);
  }

  list(filter: BoardFilter, window: ListWindow): Promise<List<BoardEntity>> {
    return this.boards.list(filter, window);
  }

  async get(id: string): Promise<BoardEntity> {
    const board = await this.boards.findLive(id);
    if (!board) throw new NotFoundError('Board');
    return board;
  }

  update(actor: AuthUser, id: string, changes: { title?: string; content?: string }): Promise<BoardEntity> {
    requireAnyField(changes, ['title', 'content']);
    return this.boards.transaction(async (manager) => {
      const board = await this.boards.lockLive(manager, id);
      if (!board) throw new NotFoundError('Board');
      assertAuthor(board, actor);
      return this.boards.update(manager, id, changes);
    });
  }

  remove(actor: AuthUser, id: string): Promise<void> {
    return this.boards.transaction(async (manager) => {
      const board = await this.boards.lockLive(manager, id);
      if (!board) throw new NotFoundError('Board');
      if (actor.role !== Role.Admin) assertAuthor(board, actor);
      await this.boards.softDelete(manager, id);
    });
  }
}

function assertAuthor(board: BoardEntity, actor: AuthUser): void {
  if (board.authorId !== actor.id) throw new ForbiddenError('Only the author can change this board');
}
