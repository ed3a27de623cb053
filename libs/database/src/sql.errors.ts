/** The SQLSTATE of a failed query, as TypeORM wraps pg's error (`driverError.code`). */
export const sqlStateOf = (error: unknown): string | undefined =>
  (error as { driverError?: { code?: string } } | null)?.driverError?.code;

/** A unique constraint refused the row (SQLSTATE 23505): someone else got there first. */
export const isUniqueViolation = (error: unknown): boolean => sqlStateOf(error) === '23505';

/** The server refused the connection's password (SQLSTATE 28P01), as pg reports it or TypeORM wraps it. */
export const isPasswordRefused = (error: unknown): boolean =>
  (error as { code?: string } | null)?.code === '28P01' || sqlStateOf(error) === '28P01';
