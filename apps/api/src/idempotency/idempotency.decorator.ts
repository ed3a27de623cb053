import { ApiProblem } from '@app/core';
import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/** Makes a POST safe to retry with an `Idempotency-Key` header, and documents it. */
export const Idempotent = (): MethodDecorator =>
  applyDecorators(
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Any unique value (a UUID): a retry with the same key and body replays the first answer (24 h), marked by ' +
        'the response header `Idempotent-Replayed: true`',
    }),
    ApiProblem(
      [409, 'CONFLICT: the first request with this key is still running'],
      [422, 'UNPROCESSABLE_ENTITY: key reused with another body'],
      [503, 'DEPENDENCY_UNAVAILABLE: the key cannot be checked now; retry with the same key after Retry-After'],
    ),
  );
