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
