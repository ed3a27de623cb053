import { CursorMetaDto, PageMetaDto, type CursorPage, type Page } from '@app/core';
import type { BoardEntity } from '@app/database';

export class BoardAuthorDto {
  id!: string;
  /** @example 김다연 */
  nickname!: string;
}

export class BoardResponseDto {
  id!: string;
  title!: string;
  content!: string;
  author!: BoardAuthorDto;
  createdAt!: Date;
  updatedAt!: Date;

  static from(board: BoardEntity): BoardResponseDto {
    return Object.assign(new BoardResponseDto(), {
      id: board.id,
      title: board.title,
      content: board.content,
      author: { id: board.author.id, nickname: board.author.nickname },
      createdAt: board.createdAt,
      updatedAt: board.updatedAt,
    });
  }
}

export class BoardPageResponseDto {
  items!: BoardResponseDto[];
  meta!: PageMetaDto;

  static from(page: Page<BoardEntity>): BoardPageResponseDto {
    return Object.assign(new BoardPageResponseDto(), {
      items: page.items.map((b) => BoardResponseDto.from(b)),
      meta: page.meta,
    });
  }
}

export class BoardCursorPageResponseDto {
  items!: BoardResponseDto[];
  meta!: CursorMetaDto;

  static from(page: CursorPage<BoardResponseDto>): BoardCursorPageResponseDto {
    return Object.assign(new BoardCursorPageResponseDto(), page);
  }
}
