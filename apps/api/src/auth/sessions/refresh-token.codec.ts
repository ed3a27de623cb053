import { constantTimeEqual, deriveKey } from '@app/core';
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/** What a refresh token says about itself once its MAC checks out. */
export interface RefreshTokenParts {
  sessionId: string;
  /** 0 at login, +1 per rotation. */
  generation: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Refresh tokens: `<session>.<generation>.<256 random bits>.<MAC>`. The MAC (HMAC-SHA256 under a server key) proves
 * we issued the token, so a genuine token of an older generation can be recognised as reuse and end its login, while
 * a forged one is merely invalid; Redis keeps only SHA-256 hashes of the current and previous token of each session.
 */
export class RefreshTokenCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = deriveKey('refresh-token', secret);
  }

  issue(sessionId: string, generation: number): string {
    const body = `${sessionId}.${generation}.${randomBytes(32).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The parts of a token we issued, or undefined for anything else. */
  parse(token: string): RefreshTokenParts | undefined {
    const parts = token.split('.');
    if (parts.length !== 4) return undefined;
    const [sessionId = '', generation = '', , mac = ''] = parts;
    if (!UUID.test(sessionId) || !/^\d{1,9}$/.test(generation)) return undefined;
    if (!constantTimeEqual(mac, this.mac(parts.slice(0, 3).join('.')))) return undefined;
    return { sessionId, generation: Number(generation) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/** What Redis stores instead of the token. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('base64url');

const sealKey = (parent: string): Buffer => deriveKey('refresh-successor', parent);

/**
 * Seals a successor token under a key derived from its parent, so that during the grace window a concurrent refresh
 * of the parent can be given the same successor, while Redis alone never holds a usable token.
 */
export function sealSuccessor(parent: string, successor: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(parent), iv);
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

export function openSuccessor(parent: string, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealKey(parent), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
