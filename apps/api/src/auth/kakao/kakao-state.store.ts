import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { KAKAO_CALLBACK_PATH, KAKAO_STATE_COOKIE, KAKAO_STATE_TTL_S } from './kakao.constants.js';

/** What the authorize leg hands the store, as the `state` option of `passport.authenticate`. */
export interface KakaoSignInStart {
  /** The SPA path to return to once signed in (already validated). */
  redirect: string;
  /** Where the state cookie is written. */
  reply: FastifyReply;
}

/** What the callback learns from the state cookie once the state matched. */
export interface KakaoSignInState {
  redirect: string;
}

/** The state cookie's content; signed, so only this server writes it. */
interface SavedSignIn {
  state: string;
  verifier: string;
  redirect: string;
  expiresAt: number;
}

type StoreDone = (error: Error | null, state?: string) => void;
type VerifyDone = (error: Error | null, verifier: string | false, info?: KakaoSignInState) => void;

/**
 * passport-oauth2's state store, kept in the browser rather than in a server session: the state, the PKCE verifier
 * and the SPA path go in a signed, HttpOnly, SameSite=Lax cookie that only the callback path receives and that lives 10
 * minutes. Kakao does not check `state`, so this is the sign-in's CSRF protection.
 *
 * passport-oauth2 chooses how to call a store by the arity of its methods: `store` takes 5 parameters (the PKCE
 * flavour, with the verifier) and `verify` 4; keep them so.
 */
export class KakaoStateStore {
  constructor(private readonly secureCookies: boolean) {}

  store(_request: unknown, verifier: string, start: KakaoSignInStart, _meta: unknown, done: StoreDone): void {
    const state = randomBytes(32).toString('base64url');
    const saved: SavedSignIn = {
      state,
      verifier,
      redirect: start.redirect,
      expiresAt: Date.now() + KAKAO_STATE_TTL_S * 1000,
    };
    start.reply.setCookie(KAKAO_STATE_COOKIE, Buffer.from(JSON.stringify(saved)).toString('base64url'), {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secureCookies,
      path: KAKAO_CALLBACK_PATH,
      maxAge: KAKAO_STATE_TTL_S,
    });
    done(null, state);
  }

  verify(request: FastifyRequest, state: unknown, _meta: unknown, done: VerifyDone): void {
    const saved = savedSignInOf(request);
    if (!saved || typeof state !== 'string' || !sameText(saved.state, state)) {
      done(null, false);
      return;
    }
    done(null, saved.verifier, { redirect: saved.redirect });
  }
}

/** Ends the sign-in's state cookie (after the callback, whatever its outcome). */
export function clearKakaoStateCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(KAKAO_STATE_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: KAKAO_CALLBACK_PATH });
}

/** The state cookie's content when its signature holds and it has not expired. */
function savedSignInOf(request: FastifyRequest): SavedSignIn | undefined {
  const cookie = request.cookies[KAKAO_STATE_COOKIE];
  if (!cookie) return undefined;
  const unsigned = request.unsignCookie(cookie);
  if (!unsigned.valid) return undefined;
  try {
    const saved: unknown = JSON.parse(Buffer.from(unsigned.value, 'base64url').toString('utf8'));
    return isSavedSignIn(saved) && saved.expiresAt > Date.now() ? saved : undefined;
  } catch {
    return undefined;
  }
}

function isSavedSignIn(value: unknown): value is SavedSignIn {
  const saved = value as Partial<SavedSignIn> | null;
  return (
    typeof saved?.state === 'string' &&
    typeof saved.verifier === 'string' &&
    typeof saved.redirect === 'string' &&
    typeof saved.expiresAt === 'number'
  );
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
