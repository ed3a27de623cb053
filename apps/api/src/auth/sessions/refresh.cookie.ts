import type { FastifyReply, FastifyRequest } from 'fastify';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH } from '../auth.constants.js';
import type { SignedIn } from '../auth.service.js';
import { TokenResponseDto } from '../dto/auth.response.dto.js';

/** The refresh token as an HttpOnly, SameSite=Strict cookie scoped to the auth routes (Secure in production). */
export function setRefreshCookie(reply: FastifyReply, token: string, maxAgeSeconds: number, secure: boolean): void {
  reply.setCookie(REFRESH_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: REFRESH_COOKIE_PATH,
    maxAge: maxAgeSeconds,
  });
}

export function clearRefreshCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: REFRESH_COOKIE_PATH });
}

export const refreshCookieOf = (request: FastifyRequest): string | undefined => request.cookies[REFRESH_COOKIE];

/** The answer to any sign-in or refresh: the refresh cookie set, the tokens in the body. */
export function answerSignedIn(reply: FastifyReply, secure: boolean, signedIn: SignedIn): TokenResponseDto {
  setRefreshCookie(reply, signedIn.refreshToken, signedIn.refreshExpiresIn, secure);
  return TokenResponseDto.from(signedIn);
}
