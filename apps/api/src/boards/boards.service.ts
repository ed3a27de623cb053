import {
  AppError,
  cursorPageOf,
  decodeCursor,
  ErrorCode,
  ForbiddenError,
  NotFoundError,
  pageOf,
  type AuthUser,
  type CursorPage,
  type Page,
} from '@app/core';
import { Role, type BoardEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { BoardsRepository, type BoardFilter } from './boards.repository.js';
import type { ListBoardsQueryDto } from './dto/board.request.dto.js';
import { BoardResponseDto } from './dto/board.response.dto.js';

const DEFAULT_PAGE_SIZE = 20;

export type BoardList =
  { kind: 'page'; page: Page<BoardEntity> } | { kind: 'cursor'; page: CursorPage<BoardResponseDto> };

/** The board's rules: anyone reads, members post, authors edit, authors and admins delete (softly). */
@Injectable()
export class BoardsService {
  constructor(private readonly boards: BoardsRepository) {}

  create(author: AuthUser, title: string, content: string): Promise<BoardEntity> {
    return this.boards.create(author.id, title, content);
  }

  async list(query: ListBoardsQueryDto): Promise<BoardList> {
    const keyset = query.cursor !== undefined || query.limit !== undefined;
    if (keyset && (query.page !== undefined || query.perPage !== undefined)) {
      throw new AppError(ErrorCode.ValidationFailed, 'Use either page/perPage or cursor/limit, not both', {
        errors: [{ field: 'page', message: 'page and perPage cannot be combined with cursor or limit' }],
      });
    }
    const filter: BoardFilter = { authorId: query.authorId, order: query.sort === 'createdAt' ? 'oldest' : 'newest' };
    if (keyset) {
      const limit = query.limit ?? DEFAULT_PAGE_SIZE;
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const rows = await this.boards.findAfter(filter, after, limit);
      return { kind: 'cursor', page: cursorPageOf(rows, limit, (board) => BoardResponseDto.from(board)) };
    }
    const page = query.page ?? 1;
    const perPage = query.perPage ?? DEFAULT_PAGE_SIZE;
    const [items, total] = await this.boards.findPage(filter, page, perPage);
    return { kind: 'page', page: pageOf(items, total, { page, perPage }) };
  }

  async get(id: string): Promise<BoardEntity> {
    const board = await this.boards.findLive(id);
    if (!board) throw new NotFoundError('Board');
    return board;
  }

  update(actor: AuthUser, id: string, changes: { title?: string; content?: string }): Promise<BoardEntity> {
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
      if (actor.role !== String(Role.Admin)) assertAuthor(board, actor);
      await this.boards.softDelete(manager, id);
    });
  }
}

function assertAuthor(board: BoardEntity, actor: AuthUser): void {
  if (board.authorId !== actor.id) throw new ForbiddenError('Only the author can change this board');
}
