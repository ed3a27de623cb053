import { IsIn, Matches } from 'class-validator';

/** Why Kakao says a user is no longer linked to the app (KAKAO.md "Unlink callback"). */
export const KAKAO_UNLINK_REFERRERS = [
  'UNLINK_FROM_APPS',
  'UNLINK_FROM_ADMIN',
  'ACCOUNT_DELETE',
  'FORCED_ACCOUNT_DELETE',
  'INCOMPLETE_SIGN_UP',
] as const;

/** The parameters of Kakao's unlink callback, named as Kakao sends them. */
export class KakaoUnlinkCallbackQueryDto {
  /** The app's numeric id. @example 1234 */
  @Matches(/^\d{1,20}$/, { message: 'app_id must be the numeric app id' })
  app_id!: string;

  /** The Kakao user id. @example 3638567622 */
  @Matches(/^[1-9]\d{0,18}$/, { message: 'user_id must be a Kakao user id' })
  user_id!: string;

  @IsIn(KAKAO_UNLINK_REFERRERS)
  referrer_type!: (typeof KAKAO_UNLINK_REFERRERS)[number];
}
