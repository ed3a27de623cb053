import type { KakaoStubApp, KakaoStubUser } from './kakao-stub.types.js';

/**
 * The default app's admin key (`KAKAO_ADMIN_KEY`): the API sends it to unlink a user (`Authorization: KakaoAK <key>`)
 * and checks it on Kakao's unlink callbacks.
 */
export const KAKAO_STUB_ADMIN_KEY = 'stub-admin-key';

/** An admin key of no app: unlinking with it answers 401 (-401), and a callback carrying it is forged. */
export const KAKAO_WRONG_ADMIN_KEY = 'not-the-stub-admin-key';

/**
 * The app the API under test is configured with (`KAKAO_CLIENT_ID`, `KAKAO_CLIENT_SECRET`, `KAKAO_APP_ID`,
 * `KAKAO_ADMIN_KEY`).
 */
export const KAKAO_DEFAULT_APP: KakaoStubApp = Object.freeze({
  clientId: 'stub-rest-api-key',
  appId: 1234,
  clientSecret: 'stub-client-secret',
  adminKey: KAKAO_STUB_ADMIN_KEY,
  redirectUris: Object.freeze([]),
});

/** A second app with another numeric id: its tokens must be refused by a client checking `app_id`. */
export const KAKAO_OTHER_APP: KakaoStubApp = Object.freeze({
  clientId: 'stub-other-rest-api-key',
  appId: 5678,
  clientSecret: 'stub-other-client-secret',
  adminKey: 'stub-other-admin-key',
  redirectUris: Object.freeze([]),
});

/** A secret that is not the default app's: sending it answers KOE010. */
export const KAKAO_WRONG_CLIENT_SECRET = 'not-the-stub-client-secret';

/** Consented to everything; email valid and verified. Approves logins when no decision is queued. */
export const KAKAO_FULL_CONSENT_USER: KakaoStubUser = deepFreeze({
  id: '3638567622',
  connected_at: '2024-07-26T08:30:56Z',
  properties: {
    nickname: '김다연',
    profile_image: 'http://k.kakaocdn.net/dn/stub/img_640x640.jpg',
    thumbnail_image: 'http://k.kakaocdn.net/dn/stub/img_110x110.jpg',
  },
  kakao_account: {
    profile_nickname_needs_agreement: false,
    profile_image_needs_agreement: false,
    profile: {
      nickname: '김다연',
      thumbnail_image_url: 'http://k.kakaocdn.net/dn/stub/img_110x110.jpg',
      profile_image_url: 'http://k.kakaocdn.net/dn/stub/img_640x640.jpg',
      is_default_image: false,
      is_default_nickname: false,
    },
    email_needs_agreement: false,
    is_email_valid: true,
    is_email_verified: true,
    email: 'dayeon.kim@example.com',
  },
});

/** Consented to the nickname only; the app asks for nothing else (no email fields at all). */
export const KAKAO_NICKNAME_ONLY_USER: KakaoStubUser = deepFreeze({
  id: '3638567623',
  connected_at: '2024-08-02T11:04:12Z',
  properties: { nickname: '박서준' },
  kakao_account: {
    profile_nickname_needs_agreement: false,
    profile: { nickname: '박서준', is_default_nickname: false },
  },
});

/** Declined the email: `email_needs_agreement` is true and no email is sent. */
export const KAKAO_EMAIL_DECLINED_USER: KakaoStubUser = deepFreeze({
  id: '3638567624',
  connected_at: '2024-09-10T02:15:40Z',
  properties: { nickname: '이하은' },
  kakao_account: {
    profile_nickname_needs_agreement: false,
    profile: { nickname: '이하은', is_default_nickname: false },
    email_needs_agreement: true,
  },
});

/** Shared an email that Kakao has not verified (`is_email_verified` false): not to be trusted. */
export const KAKAO_EMAIL_UNVERIFIED_USER: KakaoStubUser = deepFreeze({
  id: '3638567625',
  connected_at: '2024-10-21T23:59:01Z',
  properties: { nickname: '최민준' },
  kakao_account: {
    profile_nickname_needs_agreement: false,
    profile: { nickname: '최민준', is_default_nickname: false },
    email_needs_agreement: false,
    is_email_valid: true,
    is_email_verified: false,
    email: 'minjun.choi@example.com',
  },
});

/** No `properties` and no `profile` (nickname declined); a verified email only. */
export const KAKAO_NO_PROFILE_USER: KakaoStubUser = deepFreeze({
  id: '3638567626',
  connected_at: '2025-01-05T07:00:00Z',
  kakao_account: {
    profile_nickname_needs_agreement: true,
    email_needs_agreement: false,
    is_email_valid: true,
    is_email_verified: true,
    email: 'no.profile@example.com',
  },
});

/** A 19-digit id above 2^53 (Kakao's own example): `JSON.parse` would turn it into 1376016924429759200. */
export const KAKAO_LARGE_ID_USER: KakaoStubUser = deepFreeze({
  id: '1376016924429759243',
  connected_at: '2025-03-14T09:26:53Z',
  properties: { nickname: '정지우' },
  kakao_account: {
    profile_nickname_needs_agreement: false,
    profile: { nickname: '정지우', is_default_nickname: false },
    email_needs_agreement: false,
    is_email_valid: true,
    is_email_verified: true,
    email: 'jiwoo.jung@example.com',
  },
});

/** A user of `KAKAO_OTHER_APP` (ids are app-scoped): the default owner of `issueOtherAppToken`. */
export const KAKAO_OTHER_APP_USER: KakaoStubUser = deepFreeze({
  id: '4100000001',
  connected_at: '2023-12-01T00:00:00Z',
  properties: { nickname: '다른앱' },
  kakao_account: {
    profile_nickname_needs_agreement: false,
    profile: { nickname: '다른앱', is_default_nickname: false },
    email_needs_agreement: false,
    is_email_valid: true,
    is_email_verified: true,
    email: 'other.app@example.com',
  },
});

/** Every predefined app, registered at start and after each reset. */
export const KAKAO_STUB_APPS: readonly KakaoStubApp[] = Object.freeze([KAKAO_DEFAULT_APP, KAKAO_OTHER_APP]);

/** Every predefined user, registered at start and after each reset. */
export const KAKAO_STUB_USERS: readonly KakaoStubUser[] = Object.freeze([
  KAKAO_FULL_CONSENT_USER,
  KAKAO_NICKNAME_ONLY_USER,
  KAKAO_EMAIL_DECLINED_USER,
  KAKAO_EMAIL_UNVERIFIED_USER,
  KAKAO_NO_PROFILE_USER,
  KAKAO_LARGE_ID_USER,
  KAKAO_OTHER_APP_USER,
]);

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}

/** The API's Kakao callback when it runs locally (`npm run start`, port 3000). */
export const KAKAO_LOCAL_REDIRECT_URI = 'http://localhost:3000/api/v1/auth/kakao/callback';

/** The environment variables that point the API at a stub served from `stubUrl`, as the default app. */
export function kakaoStubEnv(stubUrl: string, redirectUri: string = KAKAO_LOCAL_REDIRECT_URI): Record<string, string> {
  return {
    KAKAO_AUTH_URL: stubUrl,
    KAKAO_API_URL: stubUrl,
    KAKAO_CLIENT_ID: KAKAO_DEFAULT_APP.clientId,
    KAKAO_CLIENT_SECRET: KAKAO_DEFAULT_APP.clientSecret ?? '',
    KAKAO_APP_ID: String(KAKAO_DEFAULT_APP.appId),
    KAKAO_ADMIN_KEY: KAKAO_DEFAULT_APP.adminKey,
    KAKAO_REDIRECT_URI: redirectUri,
  };
}
