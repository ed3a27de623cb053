import { PassportStrategy } from '@nestjs/passport';
import { Strategy as OAuth2Strategy, type StateStore } from 'passport-oauth2';
import type { KakaoConfig } from '../auth.config.js';
import type { KakaoOAuthClient, KakaoProfile } from './kakao-oauth.client.js';
import { KakaoStateStore } from './kakao-state.store.js';

/** The Passport name of the strategy, for `AuthGuard`. */
export const KAKAO_STRATEGY = 'kakao';

type TokenDone = (error: Error | null, accessToken?: string, refreshToken?: string, results?: object) => void;

/**
 * Kakao's authorization-code flow as a Passport strategy: passport-oauth2 with PKCE (S256) and its state in a signed
 * cookie (`KakaoStateStore`). The code exchange and the profile go through `KakaoOAuthClient` rather than
 * passport-oauth2's own HTTP client, which has no timeout and reads ids as lossy numbers. A successful callback yields
 * the `KakaoProfile`; what to do with it is `KakaoService`'s business.
 */
export class KakaoStrategy extends PassportStrategy(OAuth2Strategy, KAKAO_STRATEGY) {
  constructor(
    config: KakaoConfig,
    private readonly kakao: KakaoOAuthClient,
    secureCookies: boolean,
  ) {
    super({
      authorizationURL: `${config.authUrl}/oauth/authorize`,
      tokenURL: `${config.authUrl}/oauth/token`,
      clientID: config.clientId,
      // Unused: the exchange below sends the secret itself, and only when there is one.
      clientSecret: '',
      callbackURL: config.redirectUri,
      pkce: true,
      state: true,
      // The typings know only the session stores' shapes, not the PKCE one that KakaoStateStore implements.
      store: new KakaoStateStore(secureCookies) as unknown as StateStore,
    });
    const exchange = (code: string, params: { code_verifier?: string }, done: TokenDone): void => {
      this.kakao.exchangeCode(code, params.code_verifier).then(
        (tokens) => done(null, tokens.accessToken, tokens.refreshToken, {}),
        (error: Error) => done(error),
      );
    };
    // `_oauth2` is passport-oauth2's extension point for subclasses. (The `oauth` typings forbid the null error that
    // the library itself passes on success, hence the cast.)
    this._oauth2.getOAuthAccessToken = exchange as unknown as typeof this._oauth2.getOAuthAccessToken;
  }

  override userProfile(accessToken: string, done: (error: unknown, profile?: KakaoProfile) => void): void {
    this.kakao.me(accessToken).then(
      (profile) => done(null, profile),
      (error: unknown) => done(error),
    );
  }

  validate(_accessToken: string, _refreshToken: string | undefined, profile: KakaoProfile): KakaoProfile {
    return profile;
  }
}
