import type { AppError } from '@app/core';
import { Logger } from '@nestjs/common';
import type { KakaoConfig } from '../auth.config.js';
import { kakaoNotConfigured, kakaoRejected, kakaoUnavailable } from '../auth.errors.js';
import { KAKAO_TIMEOUT_MS } from './kakao.constants.js';
import { parseKakaoJson } from './kakao-json.parser.js';

/** A Kakao user as Modak needs them (from `/v2/user/me`). */
export interface KakaoProfile {
  /** Kakao's app-scoped 64-bit user id, as its exact decimal text. */
  id: string;
  /** Absent when the user did not share one; never blank. */
  nickname?: string;
  /** As Kakao has it, trusted or not; absent when not shared. */
  email?: string;
  /** Kakao's `is_email_valid`; the email is trusted only when this and `isEmailVerified` are true. */
  isEmailValid: boolean;
  /** Kakao's `is_email_verified`. */
  isEmailVerified: boolean;
}

/** What `/v1/user/access_token_info` says about an access token. */
export interface KakaoTokenInfo {
  /** The user the token acts for, as exact decimal text. */
  id: string;
  /** The numeric id of the app the token was issued to, as decimal text. */
  appId: string;
  expiresIn: number;
}

/** What the code exchange yields. */
export interface KakaoTokens {
  accessToken: string;
  refreshToken?: string;
}

interface KakaoAnswer {
  status: number;
  /** The parsed JSON body (ids as text), or undefined when it was not JSON. */
  body: unknown;
}

const KAKAO_ID = /^[1-9]\d{0,18}$/;
const FORM_TYPE = 'application/x-www-form-urlencoded;charset=utf-8';
/** Token endpoint errors about our app (bad secret, unknown client id, unregistered redirect URI), not the user's. */
const OUR_APP_REFUSED = new Set(['KOE010', 'KOE101', 'KOE303']);

/**
 * Kakao Login's REST API as Modak uses it (KAKAO.md): the secret in the form body, a timeout on every call, ids read
 * losslessly. Every method rejects with an AppError: 503 KAKAO_UNAVAILABLE when Kakao fails, is slow or refuses our
 * app's own credentials, 401 KAKAO_REJECTED when it refuses what the client brought, and 404 when this server has no
 * Kakao configuration (the routes answer 404 before they could get here).
 */
export class KakaoOAuthClient {
  private readonly logger = new Logger(KakaoOAuthClient.name);

  constructor(
    private readonly settings: KakaoConfig | undefined,
    private readonly timeoutMs = KAKAO_TIMEOUT_MS,
  ) {}

  /** Kakao's settings; throws (the calling async method rejects) when Kakao is not configured. */
  private get config(): KakaoConfig {
    if (!this.settings) throw kakaoNotConfigured();
    return this.settings;
  }

  /** Exchanges an authorization code (single use) for tokens, proving the PKCE verifier when the code has one. */

  async exchangeCode(code: string, codeVerifier?: string): Promise<KakaoTokens> {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      code,
    });
    // Kakao reads the secret from the body only (HTTP Basic fails).
    if (this.config.clientSecret) form.set('client_secret', this.config.clientSecret);
    if (codeVerifier) form.set('code_verifier', codeVerifier);
    const answer = await this.call('/oauth/token', `${this.config.authUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': FORM_TYPE },
      body: form.toString(),
    });
    if (answer.status !== 200) throw this.tokenError(answer);
    const body = recordOf(answer.body);
    const accessToken = textOf(body.access_token);
    if (!accessToken) throw this.unexpected('/oauth/token', answer);
    return { accessToken, refreshToken: textOf(body.refresh_token) };
  }

  /** The user an access token acts for. */
  async me(accessToken: string): Promise<KakaoProfile> {
    const answer = await this.callApi('/v2/user/me', accessToken);
    const user = recordOf(answer.body);
    if (!isKakaoId(user.id)) throw this.unexpected('/v2/user/me', answer);
    const account = recordOf(user.kakao_account);
    return {
      id: user.id,
      nickname: textOf(recordOf(account.profile).nickname) ?? textOf(recordOf(user.properties).nickname),
      email: textOf(account.email),
      isEmailValid: account.is_email_valid === true,
      isEmailVerified: account.is_email_verified === true,
    };
  }

  /** Which app and user an access token was issued to. */
  async accessTokenInfo(accessToken: string): Promise<KakaoTokenInfo> {
    const answer = await this.callApi('/v1/user/access_token_info', accessToken);
    const info = recordOf(answer.body);
    if (!isKakaoId(info.id) || typeof info.app_id !== 'string') {
      throw this.unexpected('/v1/user/access_token_info', answer);
    }
    return {
      id: info.id,
      appId: info.app_id,
      expiresIn: typeof info.expires_in === 'number' ? info.expires_in : 0,
    };
  }

  /** A Bearer call on the API host; `{msg, code}` errors become KAKAO_REJECTED or KAKAO_UNAVAILABLE. */
  private async callApi(path: string, accessToken: string): Promise<KakaoAnswer> {
    const answer = await this.call(path, `${this.config.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (answer.status === 200) return answer;
    const code = recordOf(answer.body).code;
    if (answer.status === 401) throw kakaoRejected('The Kakao access token is invalid or has expired');
    if (answer.status === 429) {
      this.logger.warn({ path, code }, 'Kakao is rate limiting this app');
      throw kakaoUnavailable();
    }
    this.logger.warn({ path, status: answer.status, code }, 'Kakao refused a call');
    throw kakaoRejected('Kakao refused this access token');
  }

  /**
   * Sends one request within the timeout. No answer, a timeout, a 5xx or a body that is not JSON mean Kakao is
   * unavailable; other statuses are for the caller to read.
   */
  private async call(path: string, url: string, init: RequestInit): Promise<KakaoAnswer> {
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (error) {
      this.logger.warn({ path, err: error }, 'Kakao did not answer in time');
      throw kakaoUnavailable(error);
    }
    if (status >= 500) {
      this.logger.warn({ path, status }, 'Kakao failed');
      throw kakaoUnavailable();
    }
    try {
      return { status, body: parseKakaoJson(text) };
    } catch {
      return { status, body: undefined };
    }
  }

  /** Kakao's token endpoint errors, by `error_code` (KAKAO.md). */
  private tokenError(answer: KakaoAnswer): AppError {
    const errorCode = textOf(recordOf(answer.body).error_code) ?? '';
    if (errorCode === 'KOE320') {
      return kakaoRejected('The Kakao sign-in code has expired or was already used; sign in again');
    }
    if (OUR_APP_REFUSED.has(errorCode)) {
      this.logger.error(
        { errorCode, status: answer.status },
        'Kakao refused our app: check KAKAO_CLIENT_ID, KAKAO_CLIENT_SECRET and KAKAO_REDIRECT_URI',
      );
      return kakaoUnavailable();
    }
    if (errorCode === 'KOE237') {
      this.logger.warn({ errorCode }, 'Kakao is rate limiting the token endpoint for this app');
      return kakaoUnavailable();
    }
    this.logger.warn({ errorCode, status: answer.status }, 'Kakao refused a code exchange');
    return kakaoRejected('Kakao refused the sign-in');
  }

  private unexpected(path: string, answer: KakaoAnswer): AppError {
    this.logger.error({ path, status: answer.status }, 'Kakao answered in an unexpected shape');
    return kakaoUnavailable();
  }
}

const isKakaoId = (value: unknown): value is string => typeof value === 'string' && KAKAO_ID.test(value);

const recordOf = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim().length > 0 ? value : undefined;
