import { AppError, ErrorCode, requestContext, type AuthUser } from '@app/core';
import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Jwt } from 'jsonwebtoken';
import { ExtractJwt, Strategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { AccessTokenSigner, isCanonicalJwt } from './access-token.signer.js';
import { RevocationsStore } from './revocations.store.js';

/** The `Authorization: Bearer <token>` reader, for the strategy and the public routes alike. */
export const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Verifies the bearer access token (never one from the query string): signature with the prepared key, the pinned
 * algorithm, issuer, audience, expiry with 60 s leeway; then the claims jsonwebtoken leaves alone, and the
 * revocations in Redis.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    private readonly tokens: AccessTokenSigner,
    private readonly revocations: RevocationsStore,
  ) {
    const { algorithms, issuer, audience, ...jsonWebTokenOptions } = tokens.verifyOptions();
    super({
      jwtFromRequest: (request) => {
        const token = bearerToken(request);
        return token && isCanonicalJwt(token) ? token : null;
      },
      // passport-jwt hands the key to jsonwebtoken as is; a KeyObject is what jsonwebtoken verifies fastest.
      secretOrKey: tokens.key as unknown as string,
      algorithms,
      issuer,
      audience: audience as string,
      jsonWebTokenOptions,
    } satisfies StrategyOptionsWithoutRequest);
  }

  async validate(decoded: Jwt): Promise<AuthUser> {
    const claims = this.tokens.claimsOf(decoded);
    const state = claims ? await this.revocations.check(claims) : 'revoked';
    if (!claims || state === 'revoked') {
      throw new AppError(ErrorCode.Unauthorized, 'The access token is not valid; sign in again');
    }
    requestContext.identify(`user:${claims.sub}`);
    return {
      id: claims.sub,
      role: claims.role,
      sessionId: claims.sid,
      jti: claims.jti,
      exp: claims.exp,
      sessionChecked: state === 'valid',
    };
  }
}
