/** The numbers of SECURITY.md that shape tokens and codes. */
export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const CLOCK_LEEWAY_S = 60;
export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const JWT_ALGORITHM = 'HS256';

export const REFRESH_ABSOLUTE_TTL_MS = 30 * 24 * 3600 * 1000;
export const REFRESH_IDLE_TTL_MS = 7 * 24 * 3600 * 1000;
export const REFRESH_REUSE_GRACE_MS = 10_000;
export const MAX_SESSIONS_PER_USER = 10;

export const EMAIL_CODE_TTL_MS = 10 * 60 * 1000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;
/** Tries per address per day across its codes, so that resends cannot extend guessing (SECURITY.md). */
export const EMAIL_CODE_MAX_DAILY_TRIES = 20;
export const EMAIL_CODE_DAILY_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Mail with a code for one address, from signup, resend or forgot-password: at most one per cool-down. */
export const EMAIL_CODE_RESEND_COOLDOWN_MS = 60_000;
/** Live codes one address holds at once: a new one never replaces a live one, and none is sent while this many live. */
export const EMAIL_CODE_MAX_LIVE = 3;

/** Signups waiting for one address to be proven, each with its own password; a further one is not kept. */
export const PENDING_SIGNUPS_MAX = 3;
/** How long a signup waits for its address to be proven. */
export const PENDING_SIGNUP_TTL_MS = 24 * 60 * 60 * 1000;

export const REFRESH_COOKIE = 'modak_rt';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
/** A browser's own allowance of failed logins for an account it signed in to (`DeviceCookieSigner`). */
export const DEVICE_COOKIE = 'modak_device';
export const DEVICE_COOKIE_PATH = '/api/v1/auth/login';
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;
