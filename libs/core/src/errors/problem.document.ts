import { HttpException } from '@nestjs/common';
import { AppError, DependencyUnavailableError, type FieldError } from './app.error.js';
import { isDependencyFailure } from './dependency-failure.util.js';
import { codeForStatus, ERROR_CODES, ErrorCode } from './error-code.enum.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 problem details as Modak writes them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
}

export interface ProblemAnswer {
  problem: Problem;
  headers: Record<string, string>;
  /** The error was not expected: log it with its stack; its message was not sent. */
  unexpected: boolean;
}

export const problemType = (code: ErrorCode): string => `urn:modak:problem:${code.toLowerCase().replace(/_/g, '-')}`;

interface HttpLikeError {
  statusCode?: unknown;
  status?: unknown;
  getStatus?: () => number;
}

/**
 * The status of an error raised by the framework itself: Nest's HttpException, or Fastify's own errors (body parser,
 * router). Any other object's `status` is not trusted: an upstream client's 401 must not become ours.
 */
function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as HttpLikeError & { code?: unknown };
  const fromFramework =
    error instanceof HttpException || (typeof candidate.code === 'string' && candidate.code.startsWith('FST_'));
  if (!fromFramework) return undefined;
  const status =
    typeof candidate.getStatus === 'function' ? candidate.getStatus() : (candidate.statusCode ?? candidate.status);
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

/**
 * Turns anything thrown while serving a request into the answer a client sees. AppErrors keep their code and message;
 * HTTP errors from the framework (404 route, 413 body, 415 media type, bad JSON) keep their status with a generic
 * detail; dependency failures become 503; everything else is a 500 whose detail says nothing about the cause.
 */
export function toProblem(error: unknown, requestId: string): ProblemAnswer {
  let appError: AppError;
  let unexpected = false;
  if (error instanceof AppError) {
    appError = error;
  } else if (isDependencyFailure(error)) {
    appError = new DependencyUnavailableError('database or cache', error);
  } else {
    const status = httpStatusOf(error);
    if (status !== undefined && status < 500) {
      const code = codeForStatus(status);
      appError = new AppError(code, clientDetail(status, code, error));
    } else if (status === 503) {
      appError = new DependencyUnavailableError('upstream', error);
    } else {
      appError = new AppError(ErrorCode.InternalError, 'An unexpected error occurred; it has been logged');
      unexpected = true;
    }
  }
  const { status, title } = ERROR_CODES[appError.code];
  const problem: Problem = {
    type: problemType(appError.code),
    title,
    status,
    detail: appError.message,
    code: appError.code,
    requestId,
    ...(appError.errors ? { errors: appError.errors } : {}),
  };
  return { problem, headers: appError.headers, unexpected };
}

function clientDetail(status: number, code: ErrorCode, error: unknown): string {
  switch (status) {
    case 404:
      return 'No such resource';
    case 405:
      return 'This method is not allowed on this resource';
    case 413:
      return 'The request body is too large';
    case 415:
      return 'Send the body as application/json';
    default:
      // Framework 4xx messages (bad JSON, malformed header) are safe but terse; keep them, never for 5xx.
      return error instanceof Error && error.message.length < 200 ? error.message : ERROR_CODES[code].title;
  }
}
