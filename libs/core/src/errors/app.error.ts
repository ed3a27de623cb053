import { ERROR_CODES, ErrorCode } from './error-code.enum.js';

export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  /** Per-field problems, sent as `errors`. */
  errors?: FieldError[];
  /** Response headers the answer needs (`Retry-After`, `Cache-Control`). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * The one error type of the domain. Services throw it (or a subclass); the problem+json filter turns it into an
 * answer. The message is shown to the client as `detail`, so it must never carry internals.
 */
export class AppError extends Error {
  readonly errors?: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code].title,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

/** A dependency (database, Redis, SMTP) did not answer; the client may retry later. */
export class DependencyUnavailableError extends AppError {
  constructor(
    readonly dependency: string,
    cause?: unknown,
  ) {
    super(ErrorCode.DependencyUnavailable, `A service this request needs is unavailable (${dependency}); retry later`, {
      cause,
      headers: { 'retry-after': '5' },
    });
  }
}

/**
 * More work than this instance can take now (every database client busy past the wait bound, an event loop or heap
 * past its limit). The request is shed at once instead of queueing; nothing is down, so the client retries shortly.
 */
export class OverloadedError extends AppError {
  constructor(
    readonly resource: string,
    cause?: unknown,
  ) {
    super(ErrorCode.Overloaded, 'The service is busy right now; retry in a moment', {
      cause,
      headers: { 'retry-after': '2' },
    });
  }
}

export class NotFoundError extends AppError {
  constructor(what = 'Resource') {
    super(ErrorCode.NotFound, `${what} not found`);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this') {
    super(ErrorCode.Forbidden, message);
  }
}
