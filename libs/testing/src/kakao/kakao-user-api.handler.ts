import { authorization, type StubExchange } from './kakao-stub.exchange.js';
import { isKakaoId, jsonReply, jsonWithRawId, rawJsonReply, type StubReply } from './kakao-stub.reply.js';
import type { KakaoStubStore } from './kakao-stub.store.js';
import type { KakaoStubApp, KakaoStubCallerAuth } from './kakao-stub.types.js';

/** The user and app a `kapi` call acts for. */
interface Caller {
  readonly userId: string;
  readonly app: KakaoStubApp;
  readonly by: KakaoStubCallerAuth;
  /** Seconds the access token has left; absent for an admin key call. */
  readonly expiresIn?: number;
}

type CallerOutcome = { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly reply: StubReply };

/** `GET|POST /v2/user/me` (Bearer): the user as Kakao writes it, `id` a raw 64-bit integer literal. */
export function userMe(exchange: StubExchange, store: KakaoStubStore): StubReply {
  const outcome = bearerCaller(exchange, store);
  if (!outcome.ok) return outcome.reply;
  const { id, ...rest } = store.user(outcome.caller.userId) ?? { id: outcome.caller.userId };
  return rawJsonReply(200, jsonWithRawId(id, rest));
}

/** `GET /v1/user/access_token_info` (Bearer): `{"id":<raw int>,"expires_in":…,"app_id":…}`. */
export function accessTokenInfo(exchange: StubExchange, store: KakaoStubStore): StubReply {
  const outcome = bearerCaller(exchange, store);
  if (!outcome.ok) return outcome.reply;
  const { userId, expiresIn, app } = outcome.caller;
  return rawJsonReply(200, jsonWithRawId(userId, { expires_in: expiresIn, app_id: app.appId }));
}

/** `POST /v1/user/logout` (Bearer or KakaoAK admin key): ends the user's tokens for the app; answers `{"id":…}`. */
export function logout(exchange: StubExchange, store: KakaoStubStore): StubReply {
  const outcome = userOrAdminCaller(exchange, store);
  if (!outcome.ok) return outcome.reply;
  store.revokeTokens(outcome.caller.userId, outcome.caller.app.clientId);
  return rawJsonReply(200, jsonWithRawId(outcome.caller.userId));
}

/**
 * `POST /v1/user/unlink` (Bearer or KakaoAK admin key): disconnects the user from the app, which ends the user's
 * tokens, and records the unlink; answers `{"id":…}`. A user not (or no longer) connected answers -101.
 */
export function unlink(exchange: StubExchange, store: KakaoStubStore): StubReply {
  const outcome = userOrAdminCaller(exchange, store);
  if (!outcome.ok) return outcome.reply;
  const { userId, app, by } = outcome.caller;
  store.unlink(userId, app.clientId, by);
  return rawJsonReply(200, jsonWithRawId(userId));
}

/** A Kakao API error body, `{"msg","code"}`. */
export function apiError(status: number, msg: string, code: number, headers: Record<string, string> = {}): StubReply {
  return jsonReply(status, { msg, code }, headers);
}

function bearerCaller(exchange: StubExchange, store: KakaoStubStore): CallerOutcome {
  const auth = authorization(exchange);
  if (auth?.scheme.toLowerCase() !== 'bearer') return invalidToken('this access token does not exist');
  const lookup = store.lookupAccessToken(auth.credentials);
  if (lookup.state === 'missing') return invalidToken('this access token does not exist');
  if (lookup.state === 'expired') return invalidToken('this access token is already expired');
  const app = store.app(lookup.token.clientId);
  if (!app) return invalidToken('this access token does not exist');
  const caller = { userId: lookup.token.userId, app, by: 'user-token', expiresIn: lookup.expiresIn } as const;
  return { ok: true, caller };
}

/**
 * A Bearer token, or the admin key as `KakaoAK <key>`. Kakao reads that scheme case-sensitively: `kakaoAK <key>`, like
 * no header at all, answers "no authentication key!".
 */
function userOrAdminCaller(exchange: StubExchange, store: KakaoStubStore): CallerOutcome {
  const auth = authorization(exchange);
  if (auth?.scheme === 'KakaoAK') return adminCaller(auth.credentials, exchange.form, store);
  if (auth?.scheme.toLowerCase() === 'bearer') return bearerCaller(exchange, store);
  return { ok: false, reply: apiError(401, 'no authentication key!', -401) };
}

/**
 * An admin key call names its target in the form body: `target_id_type=user_id&target_id=<id>` (a JSON body or a
 * query string is not read, so it fails as missing parameters).
 */
function adminCaller(adminKey: string, form: URLSearchParams, store: KakaoStubStore): CallerOutcome {
  const app = store.appByAdminKey(adminKey);
  if (!app) return { ok: false, reply: apiError(401, 'wrong admin key', -401) };
  if (form.get('target_id_type') !== 'user_id') {
    return { ok: false, reply: apiError(400, 'target_id_type must be user_id', -2) };
  }
  const userId = form.get('target_id') ?? '';
  if (!isKakaoId(userId)) return { ok: false, reply: apiError(400, 'target_id must be a user id', -2) };
  if (!store.isConnected(userId, app.clientId)) {
    return { ok: false, reply: apiError(400, 'NotRegisteredUserException', -101) };
  }
  return { ok: true, caller: { userId, app, by: 'admin-key' } };
}

function invalidToken(msg: string): CallerOutcome {
  return { ok: false, reply: apiError(401, msg, -401, { 'www-authenticate': 'Bearer error=invalid_token' }) };
}
