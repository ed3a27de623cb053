import { ApiProblem, Auth, CurrentUser, Public, type AuthUser } from '@app/core';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Idempotent } from '@api/idempotency';
import { BoardsService } from './boards.service.js';
import { CreateBoardRequestDto, ListBoardsQueryDto, UpdateBoardRequestDto } from './dto/board.request.dto.js';
import { BoardCursorPageResponseDto, BoardPageResponseDto, BoardResponseDto } from './dto/board.response.dto.js';

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
  @ApiExtraModels(BoardPageResponseDto, BoardCursorPageResponseDto)
  @ApiOkResponse({
    schema: {
      oneOf: [{ $ref: getSchemaPath(BoardPageResponseDto) }, { $ref: getSchemaPath(BoardCursorPageResponseDto) }],
    },
  })
  @ApiProblem([400, 'VALIDATION_FAILED (bad cursor, both modes at once, out of range)'])
  async list(@Query() query: ListBoardsQueryDto): Promise<BoardPageResponseDto | BoardCursorPageResponseDto> {
    const list = await this.boards.list(query);
    return list.kind === 'page' ? BoardPageResponseDto.from(list.page) : BoardCursorPageResponseDto.from(list.page);
  }

  @Public()
  @Get(':id')
  @ApiProblem([404, 'No such board, or deleted'])
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<BoardResponseDto> {
    return BoardResponseDto.from(await this.boards.get(id));
  }

  /** Edits a board (its author only). */
  @Auth()
  @Patch(':id')
  @ApiProblem([403, 'Not the author'], [404, 'No such board, or deleted'])
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateBoardRequestDto,
  ): Promise<BoardResponseDto> {
    return BoardResponseDto.from(await this.boards.update(caller, id, body));
  }

  /** Deletes a board softly (its author, or an admin): it leaves the list and answers 404, the row stays. */
  @Auth()
  @Delete(':id')
  @HttpCode(204)
  @ApiProblem([403, 'Neither the author nor an admin'], [404, 'No such board, or deleted'])
  async remove(@CurrentUser() caller: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.boards.remove(caller, id);
  }
}
