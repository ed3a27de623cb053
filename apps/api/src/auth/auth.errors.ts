import { AppError, ErrorCode } from '@app/core';

const NO_STORE = { 'cache-control': 'no-store' };

export const invalidCredentials = () =>
  new AppError(ErrorCode.InvalidCredentials, 'The email or the password is wrong');

export const emailNotVerified = () =>
  new AppError(ErrorCode.EmailNotVerified, 'Verify your email address first: enter the code we mailed you');

export const accountBanned = () => new AppError(ErrorCode.AccountBanned, 'This account is suspended');

export const emailTaken = () => new AppError(ErrorCode.EmailTaken, 'An account with this email already exists');

export const commonPassword = (field = 'password') =>
  new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', {
    errors: [{ field, message: `${field} is too common; choose a less guessable one` }],
  });

/** The signed-in caller confirmed a change with a password that is not the account's. */
export const wrongPassword = () => new AppError(ErrorCode.WrongPassword, 'The password is wrong');

/** Closing an account that has a password takes the password. */
export const passwordRequired = () =>
  new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', {
    errors: [{ field: 'password', message: 'password is required to close an account that has one' }],
  });

/** Closing an account without a password takes a fresh sign-in instead, and says how to get one. */
export const reauthenticationRequired = () =>
  new AppError(
    ErrorCode.ReauthenticationRequired,
    'Sign in again (with Kakao), then close the account within 10 minutes of that sign-in',
  );

/** A password change for an account that signs in with Kakao only. */
export const noPassword = () =>
  new AppError(ErrorCode.Conflict, 'This account has no password: it signs in with Kakao');

/**
 * One answer whether the code is wrong, expired, used up or was never sent, or the password matches no signup of the
 * address: telling them apart would say which addresses have a signup waiting.
 */
export const invalidCode = () =>
  new AppError(
    ErrorCode.InvalidVerificationCode,
    'The code or the password is wrong, or the code has expired or been used up; check them or request a new code',
  );

export const invalidRefreshToken = () =>
  new AppError(ErrorCode.InvalidRefreshToken, 'The refresh token is not valid; sign in again', { headers: NO_STORE });

export const refreshTokenReused = () =>
  new AppError(ErrorCode.TokenReused, 'This refresh token was already used; the login has been ended', {
    headers: NO_STORE,
  });

export const rateLimited = (retryAfterMs: number) =>
  new AppError(ErrorCode.RateLimited, 'Too many attempts; try again later', {
    headers: { 'retry-after': String(Math.max(Math.ceil(retryAfterMs / 1000), 1)) },
  });

/** Kakao sign-in is not configured on this server (no `KAKAO_CLIENT_ID`): its routes answer 404. */
export const kakaoNotConfigured = () => new AppError(ErrorCode.NotFound, 'Kakao sign-in is not enabled on this server');

/** Kakao failed, was too slow (5 s), or refused our own app's credentials: nothing the client did wrong. */
export const kakaoUnavailable = (cause?: unknown) =>
  new AppError(ErrorCode.KakaoUnavailable, 'Kakao sign-in is unavailable right now; try again shortly', {
    headers: { 'retry-after': '5' },
    cause,
  });

/** Kakao refused what the client brought (a token or a code), or vouched for another app or user. */
export const kakaoRejected = (message: string) => new AppError(ErrorCode.KakaoRejected, message);

/** The account that owns the email Kakao vouched for is already linked to another Kakao account. */
export const kakaoEmailLinkedElsewhere = () =>
  new AppError(ErrorCode.EmailTaken, 'The account with this email is already linked to another Kakao account');

export const invalidSpaRedirect = () =>
  new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', {
    errors: [{ field: 'redirect', message: 'redirect must be a path of the app starting with a single /' }],
  });

/** A browser sign-in with Kakao that ended before Kakao vouched for a user; the SPA learns `reason`. */
export class KakaoSignInAborted extends AppError {
  constructor(
    readonly reason: 'cancelled' | 'state_mismatch',
    message: string,
  ) {
    super(ErrorCode.KakaoRejected, message);
  }
}

export const kakaoCancelled = () => new KakaoSignInAborted('cancelled', 'The Kakao sign-in was cancelled');

export const kakaoStateMismatch = () =>
  new KakaoSignInAborted('state_mismatch', 'This Kakao sign-in was not started in this browser; start again');
