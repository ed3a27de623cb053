import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodePendingSignIn, encodePendingSignIn, type KakaoPendingSignIn } from './kakao-sign-in.codec.js';
import { KAKAO_CALLBACK_PATH, KAKAO_STATE_COOKIE, KAKAO_STATE_TTL_S } from './kakao.constants.js';

/**
 * The state cookie carries a pending browser sign-in from `GET /auth/kakao` to its callback, kept in the browser rather
 * than on the server: signed (only this server writes it), HttpOnly, SameSite=Lax (Kakao's redirect back is a
 * top-level navigation from another site), sent only to the callback path, and gone after 10 minutes.
 */
export function setKakaoStateCookie(reply: FastifyReply, pending: KakaoPendingSignIn, secure: boolean): void {
  reply.setCookie(KAKAO_STATE_COOKIE, encodePendingSignIn(pending), {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: KAKAO_CALLBACK_PATH,
    maxAge: KAKAO_STATE_TTL_S,
  });
}

/** The pending sign-in of this browser, when its state cookie is there, signed by us and not expired. */
export const KakaoStateCookie = createParamDecorator(
  (_data: unknown, context: ExecutionContext): KakaoPendingSignIn | undefined =>
    pendingSignInOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

function pendingSignInOf(request: FastifyRequest): KakaoPendingSignIn | undefined {
  const cookie = request.cookies[KAKAO_STATE_COOKIE];
  if (!cookie) return undefined;
  const unsigned = request.unsignCookie(cookie);
  return unsigned.valid ? decodePendingSignIn(unsigned.value) : undefined;
}

/** Ends the sign-in's state cookie (after the callback, whatever its outcome). */
export function clearKakaoStateCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(KAKAO_STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: KAKAO_CALLBACK_PATH });
}
