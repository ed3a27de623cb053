import { ApiProblem, Public } from '@app/core';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Post,
  Query,
  Redirect,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiFoundResponse, ApiQuery, ApiTags, type SecuritySchemeObject } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { Client } from '../guards/client-info.decorator.js';
import { TokenResponseDto } from '../dto/auth.response.dto.js';
import { answerSignedIn, setRefreshCookie } from '../sessions/refresh.cookie.js';
import type { ClientInfo } from '../sessions/session.store.js';
import { KakaoSignInRequestDto } from './dto/kakao-sign-in.request.dto.js';
import { KakaoUnlinkCallbackQueryDto } from './dto/kakao-unlink-callback.query.dto.js';
import { KakaoUnlinked } from './kakao-unlinked.service.js';
import { KakaoCallbackFilter } from './kakao-callback.filter.js';
import { KakaoEnabledGuard } from './kakao-enabled.guard.js';
import { KakaoOAuthService, type KakaoRawQuery } from './kakao-oauth.service.js';
import { clearKakaoStateCookie, KakaoStateCookie, setKakaoStateCookie } from './kakao-state.cookie.js';
import type { KakaoPendingSignIn } from './kakao-sign-in.codec.js';
import { KakaoService } from './kakao.service.js';
import { spaUrl } from './spa-links.util.js';

const NOT_CONFIGURED: [number, string] = [404, 'NOT_FOUND: Kakao sign-in is not configured on this server'];

/** How Kakao's own calls (the unlink callback) authenticate, as an OpenAPI security scheme. */
export const KAKAO_ADMIN_KEY_SCHEME = 'kakaoAdminKey';
export const kakaoAdminKeyScheme: SecuritySchemeObject = {
  type: 'apiKey',
  in: 'header',
  name: 'Authorization',
  description: "`KakaoAK <admin key>`: the app admin key, sent by Kakao's own calls (the unlink callback)",
};

/** Sign-in with Kakao: the browser flow (authorize and callback) and a Kakao SDK token. */
@ApiTags('Auth')
@Public()
@UseGuards(KakaoEnabledGuard)
@Controller('auth/kakao')
export class KakaoController {
  constructor(
    private readonly kakao: KakaoService,
    private readonly oauth: KakaoOAuthService,
    private readonly unlinked: KakaoUnlinked,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * Kakao's unlink callback (연결 끊기 알림), registered in Kakao's console with method GET: a user disconnected Modak
   * on Kakao's side, or left Kakao. Authenticated by `Authorization: KakaoAK <admin key>` and `app_id`. An account with
   * a verified email and a password stays, without its Kakao link; a Kakao-only account is closed. Answers 200 at once,
   * and again for a repeated delivery.
   */
  @Get('unlink')
  @Public(KAKAO_ADMIN_KEY_SCHEME)
  @HttpCode(200)
  @ApiProblem(
    [400, 'VALIDATION_FAILED: app_id, user_id or referrer_type missing or malformed'],
    [401, 'UNAUTHORIZED: not the app admin key'],
    [403, 'FORBIDDEN: another app_id'],
    NOT_CONFIGURED,
  )
  async unlinkCallback(
    @Headers('authorization') authorization: string | undefined,
    @Query() callback: KakaoUnlinkCallbackQueryDto,
  ): Promise<void> {
    await this.unlinked.handle(authorization, callback);
  }

  /**
   * Starts a browser sign-in: redirects to Kakao's authorize page with `state` and a PKCE challenge (S256), both kept
   * with the return path in a signed, HttpOnly cookie for 10 minutes. Kakao comes back to /auth/kakao/callback.
   */
  @Get()
  @Redirect()
  @ApiQuery({
    name: 'redirect',
    type: String,
    required: false,
    description: 'The SPA path to land on once signed in: one leading `/`, no `//`, no scheme. Default `/`.',
    example: '/boards',
  })
  @ApiFoundResponse({ description: "To Kakao's authorize page" })
  @ApiProblem([400, 'VALIDATION_FAILED: redirect is not a path of the SPA'], NOT_CONFIGURED)
  authorize(@Query() query: KakaoRawQuery, @Res({ passthrough: true }) reply: FastifyReply): { url: string } {
    const { url, pending } = this.oauth.authorize(query);
    setKakaoStateCookie(reply, pending, this.config.secureCookies);
    return { url };
  }

  /**
   * Where Kakao sends the browser back. Signs in, sets the `modak_rt` refresh cookie and redirects to the SPA path
   * given at the start; the SPA then calls /auth/refresh. No token ever appears in a URL. On failure it redirects to
   * `FRONTEND_URL?error=` with `kakao_cancelled`, `kakao_state_mismatch`, `kakao_unavailable`, `account_banned`,
   * `rate_limited` or `kakao_failed`.
   */
  @Get('callback')
  @UseFilters(KakaoCallbackFilter)
  @Redirect()
  @ApiQuery({ name: 'code', type: String, required: false, description: 'From Kakao' })
  @ApiQuery({ name: 'state', type: String, required: false, description: 'From Kakao' })
  @ApiQuery({ name: 'error', type: String, required: false, description: 'From Kakao, e.g. `access_denied`' })
  @ApiFoundResponse({ description: 'To the SPA, signed in (refresh cookie set) or with `?error=`' })
  @ApiProblem(NOT_CONFIGURED)
  async callback(
    @Query() query: KakaoRawQuery,
    @KakaoStateCookie() pending: KakaoPendingSignIn | undefined,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<{ url: string }> {
    const { signedIn, redirect } = await this.kakao.signInWithCallback(query, pending, client);
    setRefreshCookie(reply, signedIn.refreshToken, signedIn.refreshExpiresIn, this.config.secureCookies);
    clearKakaoStateCookie(reply, this.config.secureCookies);
    return { url: spaUrl(this.config.frontendUrl, redirect) };
  }

  /**
   * Signs in with an access token from a Kakao SDK, once Kakao confirms it was issued to this app
   * (`access_token_info.app_id`) for the user `/v2/user/me` names. Sets the refresh cookie too.
   */
  @Post()
  @HttpCode(200)
  @ApiProblem(
    [400, 'VALIDATION_FAILED'],
    [401, 'KAKAO_REJECTED: the token is invalid, expired, or was issued to another app'],
    [403, 'ACCOUNT_BANNED'],
    NOT_CONFIGURED,
    [409, 'EMAIL_TAKEN: the account with the Kakao email is linked to another Kakao account'],
    [429, 'RATE_LIMITED'],
    [503, 'KAKAO_UNAVAILABLE: Kakao failed or did not answer within 5 s; retry later'],
  )
  async signIn(
    @Body() body: KakaoSignInRequestDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    return answerSignedIn(
      reply,
      this.config.secureCookies,
      await this.kakao.signInWithAccessToken(body.accessToken, client),
    );
  }
}
