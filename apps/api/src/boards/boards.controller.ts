import {
  ApiListResponse,
  ApiProblem,
  Auth,
  CurrentUser,
  IdParam,
  listBody,
  listWindowOf,
  Public,
  type AuthUser,
  type ListBody,
} from '@app/core';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Idempotent } from '@api/idempotency';
import { BoardsService } from './boards.service.js';
import { CreateBoardRequestDto, ListBoardsQueryDto, UpdateBoardRequestDto } from './dto/board.request.dto.js';
import { BoardResponseDto } from './dto/board.response.dto.js';

@ApiTags('Boards')
@Controller('boards')
export class BoardsController {
  constructor(private readonly boards: BoardsService) {}

  /** Posts on the shared board. */
  @Auth()
  @Post()
  @Idempotent()
  @ApiProblem([400, 'VALIDATION_FAILED'])
  async create(@CurrentUser() caller: AuthUser, @Body() body: CreateBoardRequestDto): Promise<BoardResponseDto> {
    return BoardResponseDto.from(await this.boards.create(caller, body.title, body.content));
  }

  /** Boards, newest first: a numbered page (`page`, `perPage`) or a keyset page (`limit`, `cursor`). */
  @Public()
  @Get()
  @ApiListResponse(BoardResponseDto)
  async list(@Query() query: ListBoardsQueryDto): Promise<ListBody<BoardResponseDto>> {
    const list = await this.boards.list({ authorId: query.authorId }, listWindowOf(query));
    return listBody(list, (board) => BoardResponseDto.from(board));
  }

  /** A board; 404 once deleted. */
  @Public()
  @Get(':id')
  @ApiProblem([404, 'No such board, or deleted'])
  async get(@IdParam() id: string): Promise<BoardResponseDto> {
    return BoardResponseDto.from(await this.boards.get(id));
  }

  /** Edits a board (its author only). */
  @Auth()
  @Patch(':id')
  @ApiProblem(
    [400, 'VALIDATION_FAILED (also: nothing to change)'],
    [403, 'Not the author'],
    [404, 'No such board, or deleted'],
  )
  async update(
    @CurrentUser() caller: AuthUser,
    @IdParam() id: string,
    @Body() body: UpdateBoardRequestDto,
  ): Promise<BoardResponseDto> {
    return BoardResponseDto.from(await this.boards.update(caller, id, body));
  }

  /** Deletes a board softly (its author, or an admin): it leaves the list and answers 404, the row stays. */
  @Auth()
  @Delete(':id')
  @HttpCode(204)
  @ApiProblem([403, 'Neither the author nor an admin'], [404, 'No such board, or deleted'])
  async remove(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<void> {
    await this.boards.remove(caller, id);
  }
}
