/**
 * A PostgreSQL WAL position (`16/B374D848`) as 16 hex digits (`00000016B374D848`), so that positions compare as
 * strings, in TypeScript and in Redis' Lua alike.
 */
export function normalizeLsn(lsn: string): string {
  if (/^[0-9A-F]{16}$/.test(lsn)) return lsn;
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn);
  if (!match) throw new Error(`not an LSN: ${lsn}`);
  return `${match[1].padStart(8, '0')}${match[2].padStart(8, '0')}`.toUpperCase();
}

/** True when a node that has replayed up to `replayed` has seen the write at `written` (both as PostgreSQL prints them). */
export const hasReplayed = (replayed: string | null | undefined, written: string): boolean =>
  replayed != null && normalizeLsn(replayed) >= normalizeLsn(written);

/** A position no replica reaches: recorded when the real one could not be read, it keeps the client on the primary. */
export const LATEST_POSITION = 'FFFFFFFFFFFFFFFF';

/**
 * Raises a position key (KEYS[1]) to ARGV[1] and refreshes its window (ARGV[2] ms): two writes finishing out of order
 * never move it back.
 */
export const RECORD_POSITION_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if (not current) or current < ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`;
