import { Transform } from 'class-transformer';
import { IsString, Length } from 'class-validator';

export class UpdateMeRequestDto {
  /** Shown to other members. @example 다연 */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 50)
  nickname!: string;
}
