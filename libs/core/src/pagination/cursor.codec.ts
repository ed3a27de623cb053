import { AppError } from '../errors/app.error.js';
import { ErrorCode } from '../errors/error-code.enum.js';

/** A position in a list ordered by (createdAt, id): the last row a page ended on. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export interface CursorMeta {
  limit: number;
  /** Null on the last page. */
  nextCursor: string | null;
}

export interface CursorPage<T> {
  items: T[];
  meta: CursorMeta;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Exactly what `toISOString()` writes for a four-digit year: anything else was not written by `encodeCursor`. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Opaque to clients: base64url of the position. */
export const encodeCursor = (position: KeysetPosition): string =>
  Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');

export function decodeCursor(cursor: string): KeysetPosition {
  const invalid = () =>
    new AppError(ErrorCode.ValidationFailed, 'The request is not valid; see errors', {
      errors: [{ field: 'cursor', message: 'cursor is not one this API returned' }],
    });
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [time, id] = decoded as unknown[];
  if (typeof time !== 'string' || !CURSOR_TIME.test(time) || typeof id !== 'string' || !UUID.test(id)) throw invalid();
  const createdAt = new Date(time);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time) throw invalid();
  return { createdAt, id };
}

/**
 * Builds a cursor page from `limit + 1` fetched rows: the extra row only says that another page exists.
 */
export function cursorPageOf<T extends KeysetPosition, R>(rows: T[], limit: number, map: (row: T) => R): CursorPage<R> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    meta: { limit, nextCursor: rows.length > limit && last ? encodeCursor(last) : null },
  };
}
