import { Module } from '@nestjs/common';
import { UsersModule } from '@api/users';
import { AdminController } from './admin.controller.js';
import { AdminService } from './admin.service.js';

/** Account administration. The auth context's exports (sessions, revocations) come from the app's AuthModule. */
@Module({ imports: [UsersModule], controllers: [AdminController], providers: [AdminService] })
export class AdminModule {}
