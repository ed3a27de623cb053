import { ListQueryDto, Omittable, Trim } from '@app/core';
import { IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';

const NOT_BLANK = /\S/;

export class CreateBoardRequestDto {
  /** @example 이번 주 회의록 */
  @Trim()
  @IsString()
  @Length(1, 200)
  title!: string;

  /** @example 월요일 10시 회의에서 정한 것들입니다. */
  @IsString()
  @Length(1, 20_000)
  @Matches(NOT_BLANK, { message: 'content must not be blank' })
  content!: string;
}

/** At least one of the fields. */
export class UpdateBoardRequestDto {
  @Omittable()
  @Trim()
  @IsString()
  @Length(1, 200)
  title?: string;

  @Omittable()
  @IsString()
  @Length(1, 20_000)
  @Matches(NOT_BLANK, { message: 'content must not be blank' })
  content?: string;
}

export class ListBoardsQueryDto extends ListQueryDto {
  /** Only this author's boards. */
  @IsOptional()
  @IsUUID()
  authorId?: string;
}
