import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { AppError } from '../errors/app.error.js';
import { ErrorCode } from '../errors/error-code.enum.js';
import { ApiProblem } from './api-problem.decorator.js';

/**
 * A UUID path parameter (`:id` by default): anything else answers 400 VALIDATION_FAILED naming the parameter, like
 * every other invalid input, and the OpenAPI document says `format: uuid` and that 400.
 */
export const IdParam =
  (name = 'id'): ParameterDecorator =>
  (target, key, index) => {
    const pipe = new ParseUUIDPipe({
      exceptionFactory: () =>
        new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', {
          errors: [{ field: name, message: `${name} must be a UUID` }],
        }),
    });
    Param(name, pipe)(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    ApiParam({ name, type: String, format: 'uuid' })(target, key, descriptor);
    ApiProblem([400, 'VALIDATION_FAILED'])(target, key, descriptor);
  };
