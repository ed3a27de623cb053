import { Module } from '@nestjs/common';
import { BoardsController } from './boards.controller.js';
import { BoardsRepository } from './boards.repository.js';
import { BoardsService } from './boards.service.js';

@Module({ controllers: [BoardsController], providers: [BoardsRepository, BoardsService] })
export class BoardsModule {}
