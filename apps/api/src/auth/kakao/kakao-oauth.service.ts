import { Inject, Injectable } from '@nestjs/common';
import { AUTH_CONFIG, type AuthConfig, type KakaoConfig } from '../auth.config.js';
import { kakaoCancelled, kakaoNotConfigured, kakaoRejected, kakaoStateMismatch } from '../auth.errors.js';
import { KakaoOAuthClient, type KakaoProfile } from './kakao-oauth.client.js';
import { isStateOf, newPendingSignIn, pkceChallengeOf, type KakaoPendingSignIn } from './kakao-sign-in.codec.js';
import { spaPathOf } from './spa-links.util.js';

/** A query string as the browser sent it: unvalidated, a parameter given twice is an array. */
export type KakaoRawQuery = Readonly<Record<string, unknown>>;

/** Where to send the browser to start a sign-in, and the sign-in to keep in its state cookie meanwhile. */
export interface KakaoAuthorization {
  url: string;
  pending: KakaoPendingSignIn;
}

/** A finished browser sign-in: who Kakao vouched for, and where the SPA wants to go. */
export interface KakaoVouched {
  profile: KakaoProfile;
  redirect: string;
}

/**
 * Kakao's authorization-code flow for browsers (KAKAO.md): the authorize URL with `state` and a PKCE challenge (S256),
 * then the callback checked against the pending sign-in of the state cookie before the code is exchanged, once, with
 * its verifier. What to do with the Kakao user is `KakaoService`'s business.
 */
@Injectable()
export class KakaoOAuthService {
  private readonly kakao: KakaoConfig | undefined;

  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    private readonly client: KakaoOAuthClient,
  ) {
    this.kakao = config.kakao;
  }

  /** Starts a browser sign-in that returns to the SPA path `query.redirect` (400 VALIDATION_FAILED if it is not one). */
  authorize(query: KakaoRawQuery): KakaoAuthorization {
    const redirect = spaPathOf(query.redirect);
    // Kakao's answer belongs to the callback: here it would only start another sign-in.
    if (isGiven(query.code) || isGiven(query.error)) throw kakaoRejected('Kakao answers at /auth/kakao/callback');
    if (!this.kakao) throw kakaoNotConfigured();
    const pending = newPendingSignIn(redirect);
    const url = new URL(`${this.kakao.authUrl}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.kakao.clientId,
      redirect_uri: this.kakao.redirectUri,
      state: pending.state,
      code_challenge: pkceChallengeOf(pending.verifier),
      code_challenge_method: 'S256',
    }).toString();
    return { url: url.toString(), pending };
  }

  /**
   * Finishes a browser sign-in with Kakao's redirect (`query`) and this browser's pending sign-in. Throws
   * KakaoSignInAborted when the user cancelled or the state is not this browser's (missing, expired, forged or another
   * sign-in's: the code is then never exchanged), KAKAO_REJECTED for another error of Kakao's or a code it refuses
   * (used or expired), and the client's KAKAO_UNAVAILABLE when Kakao fails.
   */
  async complete(query: KakaoRawQuery, pending: KakaoPendingSignIn | undefined): Promise<KakaoVouched> {
    // Kakao may leave out the state on errors, so they are read before it is checked; they exchange nothing.
    if (isGiven(query.error)) {
      throw query.error === 'access_denied' ? kakaoCancelled() : kakaoRejected('Kakao refused the sign-in');
    }
    if (!isGiven(query.code)) throw kakaoRejected('Kakao sent neither a code nor an error');
    if (!pending || !isStateOf(pending, query.state)) throw kakaoStateMismatch();
    if (typeof query.code !== 'string') throw kakaoRejected('Kakao sent more than one code');
    const tokens = await this.client.exchangeCode(query.code, pending.verifier);
    const profile = await this.client.me(tokens.accessToken);
    return { profile, redirect: pending.redirect };
  }
}

/** A parameter that is there and not empty. */
const isGiven = (value: unknown): boolean => value !== undefined && value !== '';
