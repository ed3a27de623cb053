import { timingSafeEqual } from 'node:crypto';

/**
 * Whether `given` equals `expected`, compared in constant time for values of one length. Strings are compared as their
 * UTF-8 bytes. A length mismatch answers at once: every secret compared here has a public, fixed length (MACs, digests,
 * states, admin keys).
 */
export function constantTimeEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const a = typeof given === 'string' ? Buffer.from(given) : given;
  const b = typeof expected === 'string' ? Buffer.from(expected) : expected;
  return a.length === b.length && timingSafeEqual(a, b);
}
