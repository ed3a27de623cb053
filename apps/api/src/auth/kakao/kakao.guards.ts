import { AppError } from '@app/core';
import { type CanActivate, createParamDecorator, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { AuthGuard, type AuthGuardAuthenticateOptions } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthorizationError, InternalOAuthError } from 'passport-oauth2';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { kakaoCancelled, kakaoNotConfigured, kakaoRejected, kakaoStateMismatch } from '../auth.errors.js';
import { clientNetwork } from '../client-network.js';
import type { KakaoProfile } from './kakao-oauth.client.js';
import type { KakaoSignInStart, KakaoSignInState } from './kakao-state.store.js';
import { KakaoService } from './kakao.service.js';
import { KAKAO_STRATEGY } from './kakao.strategy.js';
import { spaPathOf } from './spa-links.js';

/** What a successful callback established: who Kakao vouched for, and where the SPA wants to go. */
export interface KakaoCallback {
  profile: KakaoProfile;
  redirect: string;
}

type KakaoRequest = FastifyRequest<{ Querystring: Record<string, unknown> }> & { user?: KakaoCallback };

/**
 * Kakao routes answer 404 while Kakao sign-in is not configured. They stay mounted so that the OpenAPI document does not
 * depend on the environment.
 */
@Injectable()
export class KakaoEnabledGuard implements CanActivate {
  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {}

  canActivate(): boolean {
    if (!this.config.kakao) throw kakaoNotConfigured();
    return true;
  }
}

/**
 * Starts a browser sign-in: passport redirects to Kakao with state and PKCE, the store writing the state cookie. passport
 * answers the request itself (through Fastify's reply, so hooks and cookies apply): the handler behind never runs.
 */
@Injectable()
export class KakaoAuthorizeGuard extends AuthGuard(KAKAO_STRATEGY) {
  override getAuthenticateOptions(context: ExecutionContext): AuthGuardAuthenticateOptions {
    const http = context.switchToHttp();
    const start: KakaoSignInStart = {
      redirect: spaPathOf(http.getRequest<KakaoRequest>().query.redirect),
      reply: http.getResponse<FastifyReply>(),
    };
    // passport types `state` as a string; passport-oauth2 hands an object on to the store as the application's state.
    return { state: start as unknown as string };
  }

  /** passport writes its redirect with Node's ServerResponse methods; these send it through Fastify's reply. */
  getResponse(context: ExecutionContext): object {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return {
      set statusCode(status: number) {
        reply.code(status);
      },
      setHeader: (name: string, value: string) => reply.header(name, value),
      end: () => void reply.send(),
    };
  }

  /** Reached only when passport did not redirect: the request carried Kakao's answer, which belongs to the callback. */
  override handleRequest(): never {
    throw kakaoRejected('Kakao answers at /auth/kakao/callback');
  }
}

/**
 * Finishes a browser sign-in: counts the attempt, then passport checks the state against the cookie, exchanges the code
 * with its PKCE verifier and reads the profile. Fails with KakaoSignInAborted (cancelled, state mismatch) or the
 * AppError of the Kakao call that failed.
 */
@Injectable()
export class KakaoCallbackGuard extends AuthGuard(KAKAO_STRATEGY) {
  constructor(private readonly kakao: KakaoService) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<KakaoRequest>();
    await this.kakao.throttle(clientNetwork(request.ip));
    // Without either, passport would take this for the start of a new sign-in and redirect to Kakao.
    if (request.query.code === undefined && request.query.error === undefined) {
      throw kakaoRejected('Kakao sent neither a code nor an error');
    }
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T = KakaoCallback>(
    error: unknown,
    profile: KakaoProfile | false,
    info: { state?: KakaoSignInState } | undefined,
    context: ExecutionContext,
  ): T {
    if (error) throw appErrorOf(error);
    if (!profile) {
      const cancelled = context.switchToHttp().getRequest<KakaoRequest>().query.error === 'access_denied';
      throw cancelled ? kakaoCancelled() : kakaoStateMismatch();
    }
    return { profile, redirect: info?.state?.redirect ?? '/' } as T;
  }
}

/** The outcome of `KakaoCallbackGuard`. */
export const CurrentKakaoCallback = createParamDecorator(
  (_data: unknown, context: ExecutionContext): KakaoCallback =>
    context.switchToHttp().getRequest<KakaoRequest & { user: KakaoCallback }>().user,
);

/** passport-oauth2 wraps the exchange's errors and reports Kakao's own `?error=` as AuthorizationError. */
function appErrorOf(error: unknown): unknown {
  const cause = error instanceof InternalOAuthError ? (error.oauthError as unknown) : error;
  if (cause instanceof AppError) return cause;
  if (cause instanceof AuthorizationError) return kakaoRejected('Kakao refused the sign-in');
  return cause;
}
