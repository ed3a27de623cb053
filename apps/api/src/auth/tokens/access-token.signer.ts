import { Role } from '@app/core';
import { Inject, Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { ACCESS_TOKEN_TTL_S, ACCESS_TOKEN_TYPE, CLOCK_LEEWAY_S, JWT_ALGORITHM } from '../auth.constants.js';

/** The claims of an access token, once verified. */
export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface SignedAccessToken {
  token: string;
  expiresIn: number;
}

/**
 * Whether a token's header and payload are exactly the JSON this API writes (compact, each key once). JSON.parse keeps
 * the last of duplicated keys where another parser may keep the first; a token that could read two ways is refused.
 */
export function isCanonicalJwt(token: string): boolean {
  const segments = token.split('.');
  if (segments.length !== 3) return false;
  for (let i = 0; i < 2; i += 1) {
    try {
      const json = Buffer.from(segments[i], 'base64url').toString('utf8');
      if (JSON.stringify(JSON.parse(json)) !== json) return false;
    } catch {
      return false;
    }
  }
  return true;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Signs and checks access tokens: HS256 only, with a prepared KeyObject (jsonwebtoken would otherwise re-derive a
 * key from the string secret on every call), `typ: at+jwt` (RFC 9068) so no other token passes as one.
 */
@Injectable()
export class AccessTokenSigner {
  readonly key: KeyObject;
  readonly issuer: string;
  readonly audience: string;

  constructor(@Inject(AUTH_CONFIG) auth: AuthConfig) {
    this.key = createSecretKey(Buffer.from(auth.jwtSecret, 'utf8'));
    this.issuer = auth.jwtIssuer;
    this.audience = auth.jwtAudience;
  }

  sign(subject: { userId: string; sessionId: string; role: Role }): SignedAccessToken {
    const token = jwt.sign({ sid: subject.sessionId, role: subject.role }, this.key, {
      algorithm: JWT_ALGORITHM,
      header: { alg: JWT_ALGORITHM, typ: ACCESS_TOKEN_TYPE },
      subject: subject.userId,
      issuer: this.issuer,
      audience: this.audience,
      expiresIn: ACCESS_TOKEN_TTL_S,
      jwtid: randomUUID(),
    });
    return { token, expiresIn: ACCESS_TOKEN_TTL_S };
  }

  /** The options passport-jwt hands to jsonwebtoken.verify: one algorithm, issuer, audience, bounded age. */
  verifyOptions(): jwt.VerifyOptions & { complete: true } {
    return {
      algorithms: [JWT_ALGORITHM],
      issuer: this.issuer,
      audience: this.audience,
      clockTolerance: CLOCK_LEEWAY_S,
      maxAge: ACCESS_TOKEN_TTL_S + CLOCK_LEEWAY_S,
      complete: true,
    };
  }

  /**
   * The claims of a well-formed, canonical, correctly signed and unexpired access token, or undefined; revocations
   * are not looked at (`RevocationsStore` does that, for the routes that need a signed-in caller).
   */
  verify(token: string): AccessClaims | undefined {
    if (!isCanonicalJwt(token)) return undefined;
    try {
      return this.claimsOf(jwt.verify(token, this.key, this.verifyOptions()));
    } catch {
      return undefined;
    }
  }

  /**
   * What jsonwebtoken does not check: the header type, every claim present and well-formed, `iat` not in the
   * future, and a lifetime no longer than ours. Returns the claims, or undefined when the token must be refused.
   */
  claimsOf(decoded: jwt.Jwt): AccessClaims | undefined {
    // Our tokens carry exactly `alg` and `typ`: a `kid`, `jwk`, `jku`, `x5u` or anything else was not made here.
    const headerKeys = Object.keys(decoded.header).sort().join(',');
    if (headerKeys !== 'alg,typ' || decoded.header.typ !== ACCESS_TOKEN_TYPE || typeof decoded.payload === 'string') {
      return undefined;
    }
    const claims = decoded.payload as Partial<AccessClaims>;
    const now = Math.floor(Date.now() / 1000);
    const wellFormed =
      typeof claims.sub === 'string' &&
      UUID.test(claims.sub) &&
      typeof claims.sid === 'string' &&
      typeof claims.jti === 'string' &&
      typeof claims.iat === 'number' &&
      typeof claims.exp === 'number' &&
      Object.values(Role).includes(claims.role!);
    if (!wellFormed) return undefined;
    if (claims.iat! > now + CLOCK_LEEWAY_S || claims.exp! - claims.iat! > ACCESS_TOKEN_TTL_S) return undefined;
    return claims as AccessClaims;
  }
}
