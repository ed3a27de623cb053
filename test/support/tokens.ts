import jwt from 'jsonwebtoken';
import { createHmac, randomUUID } from 'node:crypto';
import type { TestApi } from './api.js';

/** base64url of a JSON value, or of text taken as is (for payloads JSON.stringify would not write). */
export const base64url = (value: object | string): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Who an access token speaks for: the claims copied from a real token of the api. */
export interface TokenSubject {
  sub: string;
  sid: string;
  role: string;
}

export interface ForgeOptions {
  /** Signing key; the api's own secret unless given. */
  key?: jwt.Secret;
  algorithm?: jwt.Algorithm;
  /** Header fields on top of `{ alg, typ: 'at+jwt' }`; `undefined` removes one. */
  header?: Record<string, unknown>;
}

/**
 * Access tokens as the api issues them (HS256, `typ: at+jwt`, every claim), or with the one change an attacker would
 * try. A claim or header field set to `undefined` is left out of the token.
 */
export class TokenForge {
  constructor(
    private readonly api: TestApi,
    readonly subject: TokenSubject,
  ) {}

  /** A forge that speaks for the holder of `accessToken`. */
  static of(api: TestApi, accessToken: string): TokenForge {
    const { sub, sid, role } = jwt.decode(accessToken) as TokenSubject;
    return new TokenForge(api, { sub, sid, role });
  }

  get secret(): string {
    return this.api.config.auth.jwtSecret;
  }

  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** The claims of a token issued now for 10 minutes, with `changes` applied. */
  claims(changes: Record<string, unknown> = {}): Record<string, unknown> {
    const now = this.now();
    return dropUndefined({
      ...this.subject,
      jti: randomUUID(),
      iat: now,
      exp: now + 600,
      iss: this.api.config.auth.jwtIssuer,
      aud: this.api.config.auth.jwtAudience,
      ...changes,
    });
  }

  /**
   * A token signed by jsonwebtoken, as the api would sign it unless `changes` or `options` say otherwise (jsonwebtoken
   * adds an `iat` when there is none: leave one out with {@link raw}).
   */
  sign(changes: Record<string, unknown> = {}, options: ForgeOptions = {}): string {
    const algorithm = options.algorithm ?? 'HS256';
    const header = dropUndefined({ alg: algorithm, typ: 'at+jwt', ...options.header });
    return jwt.sign(this.claims(changes), options.key ?? this.secret, {
      algorithm,
      header: header as unknown as jwt.JwtHeader,
    });
  }

  /**
   * A token assembled by hand from any header and payload (objects, or JSON text for what JSON.stringify would not
   * write), HMAC-SHA256 signed with `key` (the api's secret by default); `key: null` leaves the signature empty.
   */
  raw(header: object | string, payload: object | string, key: string | null = this.secret): string {
    const signingInput = `${base64url(header)}.${base64url(payload)}`;
    const signature = key === null ? '' : createHmac('sha256', key).update(signingInput).digest('base64url');
    return `${signingInput}.${signature}`;
  }
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}
