import { ErrorCode, replyWithProblem, toProblem } from '@app/core';
import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { KakaoSignInAborted } from '../auth.errors.js';
import { clearKakaoStateCookie } from './kakao-state.cookie.js';
import { spaErrorUrl } from './spa-links.util.js';

/** What the SPA finds in `?error=` after a failed browser sign-in. */
export type KakaoSignInFailure =
  'kakao_cancelled' | 'kakao_state_mismatch' | 'kakao_unavailable' | 'account_banned' | 'rate_limited' | 'kakao_failed';

/**
 * The browser is mid-navigation at the callback, so a failure is no problem+json: it goes back to the SPA as
 * `FRONTEND_URL?error=<KakaoSignInFailure>`, and the state cookie ends. (Without Kakao configured the route answers 404
 * problem+json like the others.)
 */
@Catch()
export class KakaoCallbackFilter implements ExceptionFilter {
  private readonly logger = new Logger(KakaoCallbackFilter.name);

  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (!this.config.kakao) {
      replyWithProblem(request, reply, error);
      return;
    }
    const { problem, unexpected } = toProblem(error, String(request.id));
    if (unexpected) {
      this.logger.error({ err: error, requestId: problem.requestId }, 'Kakao sign-in failed unexpectedly');
    } else if (problem.status >= 500) {
      this.logger.warn({ err: error, requestId: problem.requestId, code: problem.code }, problem.detail);
    }
    clearKakaoStateCookie(reply, this.config.secureCookies);
    void reply.redirect(spaErrorUrl(this.config.frontendUrl, failureOf(error, problem.code)), 302);
  }
}

const FAILURES: Partial<Record<ErrorCode, KakaoSignInFailure>> = {
  [ErrorCode.KakaoUnavailable]: 'kakao_unavailable',
  [ErrorCode.AccountBanned]: 'account_banned',
  [ErrorCode.RateLimited]: 'rate_limited',
};

function failureOf(error: unknown, code: ErrorCode): KakaoSignInFailure {
  if (error instanceof KakaoSignInAborted) return `kakao_${error.reason}`;
  return FAILURES[code] ?? 'kakao_failed';
}
