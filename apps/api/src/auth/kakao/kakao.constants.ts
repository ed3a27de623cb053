import { REFRESH_COOKIE_PATH } from '../auth.constants.js';

/** Kakao down or slow: give up after this long and answer 503 KAKAO_UNAVAILABLE (SECURITY.md). */
export const KAKAO_TIMEOUT_MS = 5_000;

/** The cookie that carries a browser sign-in's state, PKCE verifier and SPA path from /auth/kakao to its callback. */
export const KAKAO_STATE_COOKIE = 'modak_kakao';

/** Where Kakao sends the browser back; the state cookie is sent nowhere else. */
export const KAKAO_CALLBACK_PATH = `${REFRESH_COOKIE_PATH}/kakao/callback`;

/** How long a browser has to come back from Kakao. */
export const KAKAO_STATE_TTL_S = 10 * 60;

/** The nickname of a Kakao user who did not share one. */
export const KAKAO_DEFAULT_NICKNAME = '카카오 사용자';
