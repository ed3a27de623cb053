import { AppError, ErrorCode } from '@app/core';
import { KakaoOAuthClient } from './kakao-oauth.client.js';

describe(KakaoOAuthClient.name, () => {
  describe('without a Kakao configuration', () => {
    const client = new KakaoOAuthClient(undefined);

    it.each([
      ['exchangeCode', () => client.exchangeCode('code', 'verifier')],
      ['me', () => client.me('token')],
      ['accessTokenInfo', () => client.accessTokenInfo('token')],
    ])('refuses %s with 404 before any request', async (_name, call) => {
      const failure = await call().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(AppError);
      expect(failure).toMatchObject({ code: ErrorCode.NotFound });
    });
  });
});
