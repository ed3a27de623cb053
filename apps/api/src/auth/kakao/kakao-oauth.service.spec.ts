import { AppError, ErrorCode } from '@app/core';
import type { AuthConfig, KakaoConfig } from '../auth.config.js';
import { KakaoSignInAborted, kakaoUnavailable } from '../auth.errors.js';
import { KakaoOAuthClient, type KakaoProfile, type KakaoTokenInfo, type KakaoTokens } from './kakao-oauth.client.js';
import { KakaoOAuthService } from './kakao-oauth.service.js';
import { newPendingSignIn, pkceChallengeOf, type KakaoPendingSignIn } from './kakao-sign-in.codec.js';

const KAKAO: KakaoConfig = {
  clientId: 'rest-api-key',
  clientSecret: 'secret',
  redirectUri: 'https://api.modak.test/api/v1/auth/kakao/callback',
  appId: '1234',
  authUrl: 'https://kauth.kakao.test',
  apiUrl: 'https://kapi.kakao.test',
};
const PROFILE: KakaoProfile = { id: '1376016924429759243', isEmailValid: false, isEmailVerified: false };

/** Kakao as far as the code exchange goes, without a network: records each exchange, answers with a token or `failure`. */
class FakeKakaoOAuthClient extends KakaoOAuthClient {
  readonly exchanges: { code: string; codeVerifier?: string }[] = [];
  failure?: AppError;

  constructor() {
    super(undefined);
  }

  override exchangeCode(code: string, codeVerifier?: string): Promise<KakaoTokens> {
    this.exchanges.push({ code, codeVerifier });
    return this.failure ? Promise.reject(this.failure) : Promise.resolve({ accessToken: `token-for-${code}` });
  }

  override me(accessToken: string): Promise<KakaoProfile> {
    return accessToken.startsWith('token-for-') ? Promise.resolve(PROFILE) : Promise.reject(new Error(accessToken));
  }

  override accessTokenInfo(): Promise<KakaoTokenInfo> {
    return Promise.reject(new Error('not part of the browser flow'));
  }
}

describe(KakaoOAuthService.name, () => {
  let kakao: FakeKakaoOAuthClient;
  let oauth: KakaoOAuthService;

  beforeEach(() => {
    kakao = new FakeKakaoOAuthClient();
    oauth = new KakaoOAuthService({ kakao: KAKAO } as AuthConfig, kakao);
  });

  const rejection = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => undefined,
      (error) => error,
    );

  describe('authorize', () => {
    it("sends the browser to Kakao's authorize page with the state and the S256 challenge of the sign-in it keeps", () => {
      const { url, pending } = oauth.authorize({ redirect: '/boards/42?tab=tasks' });
      const authorize = new URL(url);
      expect(`${authorize.origin}${authorize.pathname}`).toBe('https://kauth.kakao.test/oauth/authorize');
      expect(Object.fromEntries(authorize.searchParams)).toEqual({
        response_type: 'code',
        client_id: 'rest-api-key',
        redirect_uri: KAKAO.redirectUri,
        state: pending.state,
        code_challenge: pkceChallengeOf(pending.verifier),
        code_challenge_method: 'S256',
      });
      expect(url).not.toContain(pending.verifier);
      expect(pending.redirect).toBe('/boards/42?tab=tasks');
    });

    it('returns to the SPA root when no path is given', () => {
      expect(oauth.authorize({}).pending.redirect).toBe('/');
    });

    it('refuses a return path outside the SPA with 400 VALIDATION_FAILED', () => {
      expect(() => oauth.authorize({ redirect: '//evil.example' })).toThrow(
        expect.objectContaining({ code: ErrorCode.ValidationFailed }),
      );
    });

    it.each([{ code: 'x' }, { error: 'access_denied' }])(
      "refuses Kakao's answer %j, which belongs to the callback, with KAKAO_REJECTED",
      (query) => {
        expect(() => oauth.authorize(query)).toThrow(expect.objectContaining({ code: ErrorCode.KakaoRejected }));
      },
    );

    it('answers 404 while Kakao is not configured', () => {
      const unconfigured = new KakaoOAuthService({} as AuthConfig, kakao);
      expect(() => unconfigured.authorize({})).toThrow(expect.objectContaining({ code: ErrorCode.NotFound }));
    });
  });

  describe('complete', () => {
    let pending: KakaoPendingSignIn;

    beforeEach(() => {
      pending = newPendingSignIn('/boards');
    });

    it('exchanges the code with the PKCE verifier once the state matches, and yields the user and the SPA path', async () => {
      const vouched = await oauth.complete({ code: 'the-code', state: pending.state }, pending);
      expect(vouched).toEqual({ profile: PROFILE, redirect: '/boards' });
      expect(kakao.exchanges).toEqual([{ code: 'the-code', codeVerifier: pending.verifier }]);
    });

    it.each([
      ['another state', () => ({ query: { code: 'c', state: 'not-the-state' }, pending })],
      ['no state', () => ({ query: { code: 'c' }, pending })],
      [
        'no pending sign-in (no, a forged or an expired state cookie)',
        () => ({ query: { code: 'c', state: pending.state }, pending: undefined }),
      ],
    ])('refuses a callback with %s as a state mismatch, without exchanging the code', async (_what, callback) => {
      const { query, pending: kept } = callback();
      const error = await rejection(oauth.complete(query, kept));
      expect(error).toBeInstanceOf(KakaoSignInAborted);
      expect((error as KakaoSignInAborted).reason).toBe('state_mismatch');
      expect(kakao.exchanges).toHaveLength(0);
    });

    it('reports a cancelled sign-in, with or without a state', async () => {
      for (const query of [
        { error: 'access_denied', error_description: 'User denied access' },
        { error: 'access_denied', state: pending.state },
      ]) {
        const error = await rejection(oauth.complete(query, undefined));
        expect(error).toBeInstanceOf(KakaoSignInAborted);
        expect((error as KakaoSignInAborted).reason).toBe('cancelled');
      }
      expect(kakao.exchanges).toHaveLength(0);
    });

    it.each([
      ["another error of Kakao's", { error: 'consent_required' }],
      ['neither a code nor an error', {}],
      ['an empty code', { code: '' }],
    ])('refuses %s with KAKAO_REJECTED', async (_what, query) => {
      const error = await rejection(oauth.complete({ ...query, state: pending.state }, pending));
      expect(error).toBeInstanceOf(AppError);
      expect(error).not.toBeInstanceOf(KakaoSignInAborted);
      expect((error as AppError).code).toBe(ErrorCode.KakaoRejected);
      expect(kakao.exchanges).toHaveLength(0);
    });

    it('refuses a code given twice, without exchanging either', async () => {
      const error = await rejection(oauth.complete({ code: ['a', 'b'], state: pending.state }, pending));
      expect((error as AppError).code).toBe(ErrorCode.KakaoRejected);
      expect(kakao.exchanges).toHaveLength(0);
    });

    it("passes on the exchange's failure (a used code, Kakao down) as it is", async () => {
      kakao.failure = kakaoUnavailable();
      const error = await rejection(oauth.complete({ code: 'c', state: pending.state }, pending));
      expect(error).toBe(kakao.failure);
    });
  });
});
