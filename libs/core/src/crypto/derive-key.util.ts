import { createHash } from 'node:crypto';

/**
 * A 32-byte key for one purpose, derived from a secret (`sha256("modak:<purpose>:" + secret)`): each use of a secret
 * (signed cookies, code MACs, sealed mail…) gets a key of its own, so that no two uses can be played against each other.
 */
export const deriveKey = (purpose: string, secret: string | Buffer): Buffer =>
  createHash('sha256').update(`modak:${purpose}:`).update(secret).digest();
