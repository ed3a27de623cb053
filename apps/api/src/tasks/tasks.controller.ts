import {
  ApiListResponse,
  ApiProblem,
  Auth,
  CurrentUser,
  IdParam,
  listBody,
  listWindowOf,
  type AuthUser,
  type ListBody,
} from '@app/core';
import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Idempotent } from '@api/idempotency';
import { CreateTaskRequestDto, ListTasksQueryDto, UpdateTaskRequestDto } from './dto/task.request.dto.js';
import { TaskEventResponseDto, TaskResponseDto } from './dto/task.response.dto.js';
import { TasksService } from './tasks.service.js';

@ApiTags('Tasks')
@Auth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** Creates a task (status `TODO`), optionally assigned to an active member. */
  @Post()
  @Idempotent()
  @ApiProblem([400, 'VALIDATION_FAILED (also: an assignee that is not an active member)'])
  async create(@CurrentUser() caller: AuthUser, @Body() body: CreateTaskRequestDto): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.tasks.create(caller, body));
  }

  /**
   * Tasks, newest first: a numbered page (`page`, `perPage`) or a keyset page (`limit`, `cursor`); `assigneeId` and
   * `creatorId` take a user id or `me`.
   */
  @Get()
  @ApiListResponse(TaskResponseDto)
  async list(@CurrentUser() caller: AuthUser, @Query() query: ListTasksQueryDto): Promise<ListBody<TaskResponseDto>> {
    const { status, assigneeId, creatorId } = query;
    const list = await this.tasks.list(caller, { status, assigneeId, creatorId }, listWindowOf(query));
    return listBody(list, (task) => TaskResponseDto.from(task));
  }

  /** A task; 404 once deleted. */
  @Get(':id')
  @ApiProblem([404, 'No such task, or deleted'])
  async get(@IdParam() id: string): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.tasks.get(id));
  }

  /** Changes a task (creator, assignee or admin); `version` must be the one you read. */
  @Patch(':id')
  @ApiProblem(
    [400, 'VALIDATION_FAILED (also: nothing to change, an assignee that is not an active member)'],
    [403, 'Neither creator, assignee nor admin'],
    [404, 'No such task'],
    [409, 'VERSION_CONFLICT'],
  )
  async update(
    @CurrentUser() caller: AuthUser,
    @IdParam() id: string,
    @Body() body: UpdateTaskRequestDto,
  ): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.tasks.update(caller, id, body));
  }

  /** Deletes softly (creator or admin). */
  @Delete(':id')
  @HttpCode(204)
  @ApiProblem([403, 'Neither creator nor admin'], [404, 'No such task'])
  async remove(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<void> {
    await this.tasks.remove(caller, id);
  }

  /** The activity log, oldest first. */
  @Get(':id/events')
  @ApiProblem([404, 'No such task'])
  async events(@IdParam() id: string): Promise<TaskEventResponseDto[]> {
    return (await this.tasks.events(id)).map((event) => TaskEventResponseDto.from(event));
  }
}
