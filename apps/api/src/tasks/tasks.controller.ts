import { ApiProblem, Auth, CurrentUser, type AuthUser } from '@app/core';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Idempotent } from '@api/idempotency';
import { CreateTaskRequestDto, ListTasksQueryDto, UpdateTaskRequestDto } from './dto/task.request.dto.js';
import { TaskEventResponseDto, TaskPageResponseDto, TaskResponseDto } from './dto/task.response.dto.js';
import { TasksService } from './tasks.service.js';

@ApiTags('Tasks')
@Auth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @Idempotent()
  @ApiProblem([400, 'VALIDATION_FAILED (also: an assignee that is not an active member)'])
  async create(@CurrentUser() caller: AuthUser, @Body() body: CreateTaskRequestDto): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.tasks.create(caller, body));
  }

  /** Tasks, newest first; `assigneeId` and `creatorId` take a user id or `me`. */
  @Get()
  async list(@CurrentUser() caller: AuthUser, @Query() query: ListTasksQueryDto): Promise<TaskPageResponseDto> {
    return TaskPageResponseDto.from(await this.tasks.list(caller, query));
  }

  @Get(':id')
  @ApiProblem([404, 'No such task, or deleted'])
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.tasks.get(id));
  }

  /** Changes a task (creator, assignee or admin); `version` must be the one you read. */
  @Patch(':id')
  @ApiProblem([403, 'Neither creator, assignee nor admin'], [404, 'No such task'], [409, 'VERSION_CONFLICT'])
  async update(
    @CurrentUser() caller: AuthUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateTaskRequestDto,
  ): Promise<TaskResponseDto> {
    return TaskResponseDto.from(await this.tasks.update(caller, id, body));
  }

  /** Deletes softly (creator or admin). */
  @Delete(':id')
  @HttpCode(204)
  @ApiProblem([403, 'Neither creator nor admin'], [404, 'No such task'])
  async remove(@CurrentUser() caller: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.tasks.remove(caller, id);
  }

  /** The activity log, oldest first. */
  @Get(':id/events')
  @ApiProblem([404, 'No such task'])
  async events(@Param('id', ParseUUIDPipe) id: string): Promise<TaskEventResponseDto[]> {
    return (await this.tasks.events(id)).map((event) => TaskEventResponseDto.from(event));
  }
}
