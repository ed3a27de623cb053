import { Trim } from '@app/core';
import { IsString, Length } from 'class-validator';

export class UpdateMeRequestDto {
  /** Shown to other members. @example 다연 */
  @Trim()
  @IsString()
  @Length(1, 50)
  nickname!: string;
}
