import { AppError } from '../errors/app.error.js';
import { cursorPageOf, decodeCursor, encodeCursor } from './cursor.codec.js';

describe('keyset cursors', () => {
  const position = { createdAt: new Date('2026-11-23T10:15:00.123Z'), id: '6f1c0a0e-8a43-4d43-9c55-8f9d5b0b3f2e' };

  it('round-trips a position exactly, to the millisecond', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('["x","y"]').toString('base64url'),
    // A time PostgreSQL cannot store, one not in the form the API writes, and an impossible date.
    Buffer.from('["-271821-04-20T00:00:00.000Z","6f1c0a0e-8a43-4d43-9c55-8f9d5b0b3f2e"]').toString('base64url'),
    Buffer.from('["2026-11-23T10:15:00Z","6f1c0a0e-8a43-4d43-9c55-8f9d5b0b3f2e"]').toString('base64url'),
    Buffer.from('["2026-02-30T10:15:00.000Z","6f1c0a0e-8a43-4d43-9c55-8f9d5b0b3f2e"]').toString('base64url'),
  ])('refuses a cursor it did not make (%s) with a 400 naming the field', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(AppError);
    try {
      decodeCursor(cursor);
    } catch (error) {
      expect((error as AppError).errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });

  it('points the next cursor at the last item only when a further row exists', () => {
    const rows = [0, 1, 2].map((i) => ({ ...position, id: `${position.id.slice(0, -1)}${i}` }));
    const full = cursorPageOf(rows, 2, (row) => row.id);
    expect(full.items).toHaveLength(2);
    expect(decodeCursor(full.meta.nextCursor!).id).toBe(rows[1].id);
    expect(cursorPageOf(rows.slice(0, 2), 2, (row) => row.id).meta.nextCursor).toBeNull();
  });
});
