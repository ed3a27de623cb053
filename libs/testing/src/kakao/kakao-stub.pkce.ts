import { createHash, randomBytes } from 'node:crypto';

/** A PKCE verifier and its S256 challenge. */
export interface PkcePair {
  readonly verifier: string;
  readonly challenge: string;
}

/** The S256 challenge of a verifier: base64url(sha256(verifier)), without padding. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** A fresh 43-character verifier and its S256 challenge, for tests that play the OAuth client. */
export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

/** An opaque random token (codes, access and refresh tokens), URL-safe like Kakao's. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
