import { NotFoundError } from '@app/core';
import type { UserEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  async me(userId: string): Promise<UserEntity> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('User');
    return user;
  }

  async rename(userId: string, nickname: string): Promise<UserEntity> {
    const user = await this.users.update(userId, { nickname });
    if (!user) throw new NotFoundError('User');
    return user;
  }
}
