import { NotFoundException } from '@nestjs/common';
import { AppError, DependencyUnavailableError } from './app.error.js';
import { isDependencyFailure } from './dependency-failure.util.js';
import { ErrorCode } from './error-code.enum.js';
import { toProblem } from './problem.document.js';

describe(toProblem.name, () => {
  it('keeps an AppError code, message, field errors and headers', () => {
    const error = new AppError(ErrorCode.ValidationFailed, 'bad', {
      errors: [{ field: 'email', message: 'email must be an email' }],
      headers: { 'retry-after': '3' },
    });
    expect(toProblem(error, 'req-1')).toEqual({
      problem: {
        type: 'urn:modak:problem:validation-failed',
        title: 'Validation failed',
        status: 400,
        detail: 'bad',
        code: 'VALIDATION_FAILED',
        requestId: 'req-1',
        errors: [{ field: 'email', message: 'email must be an email' }],
      },
      headers: { 'retry-after': '3' },
      unexpected: false,
    });
  });

  it('hides the message of an unexpected error behind a 500 and flags it for the log', () => {
    const answer = toProblem(new TypeError('Cannot read properties of undefined (SELECT * FROM users)'), 'r');
    expect(answer.unexpected).toBe(true);
    expect(answer.problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
    expect(answer.problem.detail).not.toMatch(/SELECT|undefined/);
  });

  it('turns a dependency failure into 503 with Retry-After', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' });
    const answer = toProblem(refused, 'r');
    expect(answer.problem).toMatchObject({ status: 503, code: 'DEPENDENCY_UNAVAILABLE' });
    expect(answer.problem.detail).not.toContain('10.0.0.5');
    expect(answer.headers['retry-after']).toBe('5');
  });

  it('keeps the status of framework errors with a generic detail', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(toProblem(tooLarge, 'r').problem).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toProblem(new NotFoundException('Cannot GET /x'), 'r').problem).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
      detail: 'No such resource',
    });
  });

  it("does not pass on another service's HTTP status or message", () => {
    const upstream = Object.assign(new Error('upstream said: invalid token for app 1234'), { status: 401 });
    expect(toProblem(upstream, 'r').problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
  });
});

describe(isDependencyFailure.name, () => {
  it.each([
    ['a refused socket', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a PostgreSQL shutdown (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['an ioredis offline client', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['a wrapped driver error', Object.assign(new Error('query failed'), { driverError: { code: '08006' } })],
    ['an error caused by one', new Error('outer', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) })],
    ['our own 503', new DependencyUnavailableError('redis')],
    [
      'a connection ended between the statements of one read',
      Object.assign(new Error('Query runner already released. Cannot run queries anymore.'), {
        name: 'QueryRunnerAlreadyReleasedError',
      }),
    ],
  ])('recognises %s', (_name, error) => {
    expect(isDependencyFailure(error) || error instanceof DependencyUnavailableError).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error at or near'), { code: '42601' })],
    ['a bug', new TypeError('x is not a function')],
    ['a non-error', 'ECONNREFUSED'],
  ])('does not mistake %s for one', (_name, error) => {
    expect(isDependencyFailure(error)).toBe(false);
  });
});
