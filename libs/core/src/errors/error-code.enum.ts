/** Stable machine codes that clients branch on. Never rename one; add new ones. */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  PageTooDeep = 'PAGE_TOO_DEEP',
  BadRequest = 'BAD_REQUEST',
  Unauthorized = 'UNAUTHORIZED',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  EmailNotVerified = 'EMAIL_NOT_VERIFIED',
  InvalidVerificationCode = 'INVALID_VERIFICATION_CODE',
  WrongPassword = 'WRONG_PASSWORD',
  ReauthenticationRequired = 'REAUTHENTICATION_REQUIRED',
  EmailTaken = 'EMAIL_TAKEN',
  AccountBanned = 'ACCOUNT_BANNED',
  InvalidRefreshToken = 'INVALID_REFRESH_TOKEN',
  TokenReused = 'TOKEN_REUSED',
  KakaoRejected = 'KAKAO_REJECTED',
  Forbidden = 'FORBIDDEN',
  ForbiddenOrigin = 'FORBIDDEN_ORIGIN',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  Conflict = 'CONFLICT',
  VersionConflict = 'VERSION_CONFLICT',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  UnprocessableEntity = 'UNPROCESSABLE_ENTITY',
  RateLimited = 'RATE_LIMITED',
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
  Overloaded = 'OVERLOADED',
  KakaoUnavailable = 'KAKAO_UNAVAILABLE',
  InternalError = 'INTERNAL_ERROR',
}

interface CodeInfo {
  status: number;
  title: string;
}

/** The one table from code to HTTP status and human title. */
export const ERROR_CODES: Record<ErrorCode, CodeInfo> = {
  [ErrorCode.ValidationFailed]: { status: 400, title: 'Validation failed' },
  [ErrorCode.PageTooDeep]: { status: 400, title: 'Page too deep' },
  [ErrorCode.BadRequest]: { status: 400, title: 'Bad request' },
  [ErrorCode.Unauthorized]: { status: 401, title: 'Authentication required' },
  [ErrorCode.InvalidCredentials]: { status: 401, title: 'Invalid credentials' },
  [ErrorCode.EmailNotVerified]: { status: 403, title: 'Email not verified' },
  [ErrorCode.InvalidVerificationCode]: { status: 400, title: 'Invalid verification code' },
  [ErrorCode.WrongPassword]: { status: 403, title: 'Wrong password' },
  [ErrorCode.ReauthenticationRequired]: { status: 403, title: 'Recent sign-in required' },
  [ErrorCode.EmailTaken]: { status: 409, title: 'Email already registered' },
  [ErrorCode.AccountBanned]: { status: 403, title: 'Account suspended' },
  [ErrorCode.InvalidRefreshToken]: { status: 401, title: 'Invalid refresh token' },
  [ErrorCode.TokenReused]: { status: 401, title: 'Refresh token reused' },
  [ErrorCode.KakaoRejected]: { status: 401, title: 'Kakao sign-in rejected' },
  [ErrorCode.Forbidden]: { status: 403, title: 'Forbidden' },
  [ErrorCode.ForbiddenOrigin]: { status: 403, title: 'Origin not allowed' },
  [ErrorCode.NotFound]: { status: 404, title: 'Not found' },
  [ErrorCode.MethodNotAllowed]: { status: 405, title: 'Method not allowed' },
  [ErrorCode.Conflict]: { status: 409, title: 'Conflict' },
  [ErrorCode.VersionConflict]: { status: 409, title: 'Version conflict' },
  [ErrorCode.PayloadTooLarge]: { status: 413, title: 'Payload too large' },
  [ErrorCode.UnsupportedMediaType]: { status: 415, title: 'Unsupported media type' },
  [ErrorCode.UnprocessableEntity]: { status: 422, title: 'Unprocessable entity' },
  [ErrorCode.RateLimited]: { status: 429, title: 'Too many requests' },
  [ErrorCode.DependencyUnavailable]: { status: 503, title: 'Dependency unavailable' },
  [ErrorCode.Overloaded]: { status: 503, title: 'Overloaded' },
  [ErrorCode.KakaoUnavailable]: { status: 503, title: 'Kakao unavailable' },
  [ErrorCode.InternalError]: { status: 500, title: 'Internal server error' },
};

/** The code a bare HTTP status maps to, for errors raised outside our code (router, body parser). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.BadRequest;
    case 401:
      return ErrorCode.Unauthorized;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 405:
      return ErrorCode.MethodNotAllowed;
    case 409:
      return ErrorCode.Conflict;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 415:
      return ErrorCode.UnsupportedMediaType;
    case 422:
      return ErrorCode.UnprocessableEntity;
    case 429:
      return ErrorCode.RateLimited;
    case 503:
      return ErrorCode.DependencyUnavailable;
    default:
      return status >= 400 && status < 500 ? ErrorCode.BadRequest : ErrorCode.InternalError;
  }
}
