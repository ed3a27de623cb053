import { Module } from '@nestjs/common';
import { UsersModule } from '@api/users';
import { TaskNotificationsService } from './task-notifications.service.js';
import { TasksController } from './tasks.controller.js';
import { TasksRepository } from './tasks.repository.js';
import { TasksService } from './tasks.service.js';

@Module({
  imports: [UsersModule],
  controllers: [TasksController],
  providers: [TasksRepository, TasksService, TaskNotificationsService],
  exports: [TasksService],
})
export class TasksModule {}
