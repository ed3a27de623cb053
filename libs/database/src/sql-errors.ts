/** The SQLSTATE of a failed query, as TypeORM wraps pg's error (`driverError.code`). */
export const sqlStateOf = (error: unknown): string | undefined =>
  (error as { driverError?: { code?: string } } | null)?.driverError?.code;

/** A unique constraint refused the row (SQLSTATE 23505): someone else got there first. */
export const isUniqueViolation = (error: unknown): boolean => sqlStateOf(error) === '23505';
