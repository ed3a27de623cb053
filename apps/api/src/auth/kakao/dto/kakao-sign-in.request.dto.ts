import { IsString, Length, Matches } from 'class-validator';

export class KakaoSignInRequestDto {
  /** An access token from a Kakao SDK login to this app (the Kakao JS SDK's `Kakao.Auth`). */
  @IsString()
  @Length(1, 2048)
  @Matches(/^[\w\-.~+/=]+$/, { message: 'accessToken must be a Kakao access token' })
  accessToken!: string;
}
