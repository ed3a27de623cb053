import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { AppError, type FieldError } from '../errors/app.error.js';
import { ErrorCode } from '../errors/error-code.enum.js';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** How deep a body or query may nest; the API's own documents stay within 3. */
export const MAX_INPUT_DEPTH = 32;

const invalid = (field: string, message: string) =>
  new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', { errors: [{ field, message }] });

/**
 * Refuses what no field may hold, before class-transformer walks the input: nesting deeper than MAX_INPUT_DEPTH (which
 * would exhaust its recursion) and NUL characters (which PostgreSQL cannot store in text), in values and in keys.
 */
export function assertSafeInput(value: unknown, path = '', depth = 0): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw invalid(path || 'body', 'must not contain NUL characters');
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_INPUT_DEPTH) throw invalid(path || 'body', `must not nest deeper than ${MAX_INPUT_DEPTH} levels`);
  for (const [key, child] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) throw invalid(path || 'body', 'field names must not contain NUL characters');
    assertSafeInput(child, field, depth + 1);
  }
}

/** Strict validation: unknown fields are refused, values transformed to the DTO's types, one 400 with every field. */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') assertSafeInput(value);
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    forbidUnknownValues: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', { errors: flatten(errors) }),
  });
}
