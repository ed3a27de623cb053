import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';
import { AppError } from '../errors/app.error.js';
import { ErrorCode } from '../errors/error-code.enum.js';

/**
 * A body field that may be left out but, when present, must be valid: unlike `@IsOptional()`, `null` is checked (and
 * refused by the field's other rules) instead of slipping through to a NOT NULL column.
 */
export const Omittable = (): PropertyDecorator => ValidateIf((_object, value) => value !== undefined);

/** Trims a string field before it is validated. */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** 400 when a change carries none of the fields it could change. */
export function requireAnyField<T extends object>(body: T, fields: (keyof T & string)[]): void {
  if (fields.some((field) => body[field] !== undefined)) return;
  throw new AppError(ErrorCode.ValidationFailed, 'Nothing to change', {
    errors: [{ field: fields.join(','), message: `send at least one of ${fields.join(', ')}` }],
  });
}
