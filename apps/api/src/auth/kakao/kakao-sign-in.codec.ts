import { constantTimeEqual } from '@app/core';
import { createHash, randomBytes } from 'node:crypto';
import { KAKAO_STATE_TTL_S } from './kakao.constants.js';

/**
 * A browser sign-in between `GET /auth/kakao` and its callback: the `state` sent to Kakao (our CSRF check: Kakao does
 * not check it), the PKCE verifier whose S256 challenge Kakao got, and the SPA path to land on. It travels in the
 * state cookie, which the server signs.
 */
export interface KakaoPendingSignIn {
  state: string;
  verifier: string;
  /** The SPA path to return to once signed in (already validated by `spaPathOf`). */
  redirect: string;
  /** Epoch milliseconds after which the callback no longer accepts it. */
  expiresAt: number;
}

/** A new sign-in towards `redirect`: 256 random bits each for the state and the verifier (43 base64url characters). */
export function newPendingSignIn(redirect: string, now = Date.now()): KakaoPendingSignIn {
  return {
    state: randomBytes(32).toString('base64url'),
    verifier: randomBytes(32).toString('base64url'),
    redirect,
    expiresAt: now + KAKAO_STATE_TTL_S * 1000,
  };
}

/** PKCE's S256 challenge of a verifier: base64url(SHA-256(verifier)), unpadded (RFC 7636). */
export function pkceChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** The state cookie's value, before signing. */
export function encodePendingSignIn(pending: KakaoPendingSignIn): string {
  return Buffer.from(JSON.stringify(pending)).toString('base64url');
}

/** The sign-in a state cookie's (unsigned) value holds, unless it is malformed or has expired. */
export function decodePendingSignIn(value: string, now = Date.now()): KakaoPendingSignIn | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  return isPendingSignIn(decoded) && decoded.expiresAt > now ? decoded : undefined;
}

/** Whether the callback's `state` is the one this sign-in sent to Kakao (compared in constant time). */
export function isStateOf(pending: KakaoPendingSignIn, state: unknown): boolean {
  return typeof state === 'string' && constantTimeEqual(state, pending.state);
}

function isPendingSignIn(value: unknown): value is KakaoPendingSignIn {
  const pending = value as Partial<KakaoPendingSignIn> | null;
  return (
    typeof pending?.state === 'string' &&
    typeof pending.verifier === 'string' &&
    typeof pending.redirect === 'string' &&
    typeof pending.expiresAt === 'number'
  );
}
