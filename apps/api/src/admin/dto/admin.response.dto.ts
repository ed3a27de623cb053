import { PageMetaDto, type Page } from '@app/core';
import type { UserEntity } from '@app/database';
import { AdminUserResponseDto } from '@api/users';

export class AdminUserPageResponseDto {
  items!: AdminUserResponseDto[];
  meta!: PageMetaDto;

  static from(page: Page<UserEntity>): AdminUserPageResponseDto {
    return Object.assign(new AdminUserPageResponseDto(), {
      items: page.items.map((user) => AdminUserResponseDto.from(user)),
      meta: page.meta,
    });
  }
}
