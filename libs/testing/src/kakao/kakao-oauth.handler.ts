import { KAKAO_FULL_CONSENT_USER } from './kakao-stub.fixtures.js';
import type { StubExchange } from './kakao-stub.exchange.js';
import { pkceChallenge } from './kakao-stub.pkce.js';
import { escapeHtml, htmlReply, jsonReply, redirectReply, type StubReply } from './kakao-stub.reply.js';
import {
  ACCESS_TOKEN_TTL,
  REFRESH_ROTATION_THRESHOLD,
  REFRESH_TOKEN_TTL,
  type KakaoStubStore,
  type LoginDecision,
} from './kakao-stub.store.js';
import type { KakaoStubApp, KakaoStubUser } from './kakao-stub.types.js';

/** The query parameter the stub's own login page adds to record the choice made on it. */
export const LOGIN_PAGE_DECISION_PARAM = 'stub_decision';

/** How `/oauth/authorize` behaves when no test queued a decision. */
export interface AuthorizeOptions {
  /** Show a page to pick the user (local SPA work) instead of approving as the full-consent user at once. */
  readonly loginPage: boolean;
}

type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: StubReply };

interface AuthorizeRequest {
  readonly app: KakaoStubApp;
  readonly redirectUri: string;
  readonly state: string | null;
  readonly prompt: string | null;
  readonly codeChallenge?: string;
}

/**
 * `GET /oauth/authorize`: an unknown client (KOE101), an unregistered redirect URI (KOE006) or bad parameters
 * (KOE001) get a 400 error page and never a redirect; otherwise the next login decision redirects back with a code,
 * `error=access_denied` or, for `prompt=none` and a user not connected to the app, `error=consent_required`.
 */
export function authorize(exchange: StubExchange, store: KakaoStubStore, options: AuthorizeOptions): StubReply {
  const request = parseAuthorizeRequest(exchange.query, store);
  if (!request.ok) return request.reply;
  const decision = pickDecision(exchange.query, store, options);
  if (!decision) return loginPage(exchange.query, store);
  if (!decision.ok) return decision.reply;
  return decide(request.value, decision.value, store);
}

/**
 * `POST /oauth/token`: the authorization code and refresh token grants, with the client secret read from the form
 * body only (HTTP Basic credentials are ignored, so they fail as missing). Errors are `{error,error_description,
 * error_code}` with Kakao's codes.
 */
export function token(exchange: StubExchange, store: KakaoStubStore): StubReply {
  const rateLimitStatus = store.takeRateLimit();
  if (rateLimitStatus !== undefined) {
    return tokenError(rateLimitStatus, 'invalid_request', 'KOE237', 'token request rate limit exceeded');
  }
  const form = exchange.form;
  const grantType = form.get('grant_type');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return tokenError(400, 'unsupported_grant_type', 'KOE001', `unsupported grant_type: ${grantType ?? ''}`);
  }
  const client = authenticateClient(form, store);
  if (!client.ok) return client.reply;
  return grantType === 'authorization_code'
    ? exchangeCode(form, client.value, store)
    : refreshAccessToken(form, client.value, store);
}

/** The scopes a user consented to, as the token response lists them. */
export function consentedScope(user: KakaoStubUser): string {
  const account = user.kakao_account;
  const scopes = [
    account?.email !== undefined ? 'account_email' : undefined,
    account?.profile?.profile_image_url !== undefined ? 'profile_image' : undefined,
    account?.profile?.nickname !== undefined ? 'profile_nickname' : undefined,
  ];
  return scopes.filter((scope) => scope !== undefined).join(' ');
}

function parseAuthorizeRequest(query: URLSearchParams, store: KakaoStubStore): Outcome<AuthorizeRequest> {
  const clientId = query.get('client_id') ?? '';
  const app = store.app(clientId);
  if (!app) return fail(errorPage('KOE101', `Not exist client_id [${clientId}]`));
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!store.isRegisteredRedirect(clientId, redirectUri)) {
    return fail(errorPage('KOE006', `Redirect URI is not registered: ${redirectUri}`));
  }
  if (query.get('response_type') !== 'code') return fail(errorPage('KOE001', 'response_type must be code'));
  const codeChallenge = query.get('code_challenge') ?? undefined;
  const method = query.get('code_challenge_method');
  if ((codeChallenge !== undefined || method !== null) && (method !== 'S256' || !codeChallenge)) {
    return fail(errorPage('KOE001', 'PKCE needs code_challenge with code_challenge_method=S256'));
  }
  return {
    ok: true,
    value: { app, redirectUri, state: query.get('state'), prompt: query.get('prompt'), codeChallenge },
  };
}

/** The choice made on the login page, else a queued one, else (without a login page) the full-consent user. */
function pickDecision(
  query: URLSearchParams,
  store: KakaoStubStore,
  options: AuthorizeOptions,
): Outcome<LoginDecision> | undefined {
  const chosen = query.get(LOGIN_PAGE_DECISION_PARAM);
  if (chosen === 'deny') return { ok: true, value: { kind: 'deny' } };
  if (chosen !== null) {
    return store.user(chosen)
      ? { ok: true, value: { kind: 'approve', userId: chosen } }
      : fail(errorPage('KOE001', `Unknown stub user: ${chosen}`));
  }
  const queued = store.takeDecision();
  if (queued) return { ok: true, value: queued };
  return options.loginPage ? undefined : { ok: true, value: { kind: 'approve', userId: KAKAO_FULL_CONSENT_USER.id } };
}

function decide(request: AuthorizeRequest, decision: LoginDecision, store: KakaoStubStore): StubReply {
  if (decision.kind === 'deny') {
    return redirectBack(request, [
      ['error', 'access_denied'],
      ['error_description', 'User denied access'],
    ]);
  }
  if (request.prompt === 'none' && !store.isConnected(decision.userId, request.app.clientId)) {
    return redirectBack(request, [
      ['error', 'consent_required'],
      ['error_description', 'user consent required'],
    ]);
  }
  const code = store.issueCode({
    clientId: request.app.clientId,
    redirectUri: request.redirectUri,
    userId: decision.userId,
    codeChallenge: request.codeChallenge,
  });
  return redirectBack(request, [['code', code]]);
}

/** Redirects to the registered URI with the parameters and `state` (when sent), spaces encoded as `%20`. */
function redirectBack(request: AuthorizeRequest, params: [string, string][]): StubReply {
  const all = request.state === null ? params : [...params, ['state', request.state]];
  const query = all.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  const separator = request.redirectUri.includes('?') ? '&' : '?';
  return redirectReply(`${request.redirectUri}${separator}${query}`);
}

function authenticateClient(form: URLSearchParams, store: KakaoStubStore): Outcome<KakaoStubApp> {
  const clientId = form.get('client_id') ?? '';
  const app = store.app(clientId);
  if (!app) return fail(tokenError(401, 'invalid_client', 'KOE101', `Not exist client_id [${clientId}]`));
  if (app.clientSecret !== null && form.get('client_secret') !== app.clientSecret) {
    return fail(tokenError(401, 'invalid_client', 'KOE010', 'Bad client credentials'));
  }
  return { ok: true, value: app };
}

function exchangeCode(form: URLSearchParams, app: KakaoStubApp, store: KakaoStubStore): StubReply {
  const codeText = form.get('code') ?? '';
  const code = store.takeCode(codeText);
  if (code?.clientId !== app.clientId) {
    return tokenError(400, 'invalid_grant', 'KOE320', `authorization code not found for code=${codeText}`);
  }
  if (form.get('redirect_uri') !== code.redirectUri) {
    return tokenError(400, 'invalid_grant', 'KOE303', 'Redirect URI mismatch.');
  }
  const verifier = form.get('code_verifier');
  if (code.codeChallenge !== undefined && (verifier === null || pkceChallenge(verifier) !== code.codeChallenge)) {
    return tokenError(400, 'invalid_grant', 'KOE320', 'code_verifier does not match the code_challenge.');
  }
  const issued = store.issueToken({ userId: code.userId, clientId: app.clientId });
  return jsonReply(
    200,
    {
      token_type: 'bearer',
      access_token: issued.accessToken,
      expires_in: issued.expiresIn,
      refresh_token: issued.refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL,
      scope: scopeOf(code.userId, store),
    },
    noStore(),
  );
}

/** A new access token; the refresh token is rotated only when it has less than a month left, as Kakao does. */
function refreshAccessToken(form: URLSearchParams, app: KakaoStubApp, store: KakaoStubStore): StubReply {
  const refreshToken = store.findRefreshToken(form.get('refresh_token') ?? '', app.clientId);
  if (!refreshToken) return tokenError(400, 'invalid_grant', 'KOE322', 'expired_or_invalid_refresh_token');
  const accessToken = store.issueAccessToken(refreshToken.userId, app.clientId);
  const rotated =
    store.secondsLeft(refreshToken) < REFRESH_ROTATION_THRESHOLD
      ? { refresh_token: store.rotateRefreshToken(refreshToken), refresh_token_expires_in: REFRESH_TOKEN_TTL }
      : {};
  return jsonReply(
    200,
    { token_type: 'bearer', access_token: accessToken, expires_in: ACCESS_TOKEN_TTL, ...rotated },
    noStore(),
  );
}

function scopeOf(userId: string, store: KakaoStubStore): string {
  const user = store.user(userId);
  return user ? consentedScope(user) : '';
}

function tokenError(status: number, error: string, errorCode: string, description: string): StubReply {
  return jsonReply(status, { error, error_description: description, error_code: errorCode }, noStore());
}

function noStore(): Record<string, string> {
  return { 'cache-control': 'no-store' };
}

function fail<T>(reply: StubReply): Outcome<T> {
  return { ok: false, reply };
}

function errorPage(errorCode: string, detail: string): StubReply {
  const text = `${escapeHtml(errorCode)}: ${escapeHtml(detail)}`;
  return htmlReply(
    400,
    `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>Kakao stub: ${escapeHtml(errorCode)}</title>` +
      `</head><body><h1>잘못된 요청 (${escapeHtml(errorCode)})</h1><p>${text}</p></body></html>`,
  );
}

/** The stub's stand-in for Kakao's login and consent screens: one link per user, and a cancel link. */
function loginPage(query: URLSearchParams, store: KakaoStubStore): StubReply {
  const link = (decision: string, label: string): string => {
    const params = new URLSearchParams(query);
    params.set(LOGIN_PAGE_DECISION_PARAM, decision);
    return `<li><a href="/oauth/authorize?${escapeHtml(params.toString())}">${escapeHtml(label)}</a></li>`;
  };
  const users = store
    .allUsers()
    .map((user) => link(user.id, `${user.properties?.nickname ?? '(no nickname)'} — ${user.id}`));
  return htmlReply(
    200,
    '<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>Kakao stub login</title></head><body>' +
      `<h1>Kakao stub: log in as</h1><ul>${users.join('')}</ul><ul>${link('deny', 'Cancel (access_denied)')}</ul>` +
      '</body></html>',
  );
}
