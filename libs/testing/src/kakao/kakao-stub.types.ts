/**
 * A Kakao app as the stub knows it: the REST API key (the OAuth `client_id`), the numeric app id that
 * `/v1/user/access_token_info` reports, the client secret (or `null` when the app has the secret turned off), the
 * admin key accepted as `Authorization: KakaoAK <key>` and the registered redirect URIs (matched exactly).
 */
export interface KakaoStubApp {
  readonly clientId: string;
  readonly appId: number;
  readonly clientSecret: string | null;
  readonly adminKey: string;
  readonly redirectUris: readonly string[];
}

/** The `profile` object of `kakao_account`, as Kakao writes it. */
export interface KakaoStubProfile {
  readonly nickname?: string;
  readonly thumbnail_image_url?: string;
  readonly profile_image_url?: string;
  readonly is_default_image?: boolean;
  readonly is_default_nickname?: boolean;
}

/** The `kakao_account` object of `/v2/user/me`: every field is optional; a declined item is absent. */
export interface KakaoStubAccount {
  readonly profile_needs_agreement?: boolean;
  readonly profile_nickname_needs_agreement?: boolean;
  readonly profile_image_needs_agreement?: boolean;
  readonly profile?: KakaoStubProfile;
  readonly email_needs_agreement?: boolean;
  readonly is_email_valid?: boolean;
  readonly is_email_verified?: boolean;
  readonly email?: string;
}

/** The legacy `properties` object of `/v2/user/me`. */
export interface KakaoStubProperties {
  readonly nickname?: string;
  readonly profile_image?: string;
  readonly thumbnail_image?: string;
}

/**
 * A Kakao user, shaped exactly like the body of `GET /v2/user/me` except that `id` is a decimal digit string
 * (ids go up to 2^63 - 1, beyond what a JavaScript number holds); the stub writes it as a raw integer literal.
 */
export interface KakaoStubUser {
  readonly id: string;
  readonly connected_at?: string;
  readonly properties?: KakaoStubProperties;
  readonly kakao_account?: KakaoStubAccount;
}

/** An access token (with its refresh token) issued by the stub. */
export interface KakaoStubIssuedToken {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds until the access token expires (negative for a token issued already expired). */
  readonly expiresIn: number;
  readonly userId: string;
  readonly clientId: string;
  readonly appId: number;
}

/** What to issue a token for; the app defaults to the stub's default app. */
export interface KakaoStubTokenRequest {
  readonly userId: string;
  readonly clientId?: string;
  /** Lifetime in seconds; defaults to Kakao's 21599. Zero or negative issues an already expired token. */
  readonly expiresIn?: number;
}

/** What to bind an authorization code to, as if `/oauth/authorize` had issued it. */
export interface KakaoStubCodeRequest {
  readonly redirectUri: string;
  /** Defaults to the full-consent user. */
  readonly userId?: string;
  /** Defaults to the stub's default app. */
  readonly clientId?: string;
  /** The S256 PKCE challenge the token request must then prove; none means no PKCE. */
  readonly codeChallenge?: string;
  /** Issue the code and use it up at once, so exchanging it answers KOE320 like a reused code. */
  readonly consumed?: boolean;
}

/** Slows the next matching requests down (to exercise client timeouts). */
export interface KakaoStubDelay {
  readonly ms: number;
  /** How many requests to slow down; defaults to 1. */
  readonly count?: number;
  /** Only requests to this exact path (for example `/oauth/token`); defaults to every Kakao path. */
  readonly path?: string;
}

/** Makes the next matching requests fail as if Kakao were down. */
export interface KakaoStubFailure {
  /** The HTTP status to answer; defaults to 503. */
  readonly status?: number;
  /** How many requests fail; defaults to 1. */
  readonly count?: number;
  /** Only requests to this exact path; defaults to every Kakao path. */
  readonly path?: string;
}

/** Makes the next token requests answer KOE237 (token rate limit). */
export interface KakaoStubRateLimit {
  /** How many token requests are refused; defaults to 1. */
  readonly count?: number;
  /** 429 (default) or 400: Kakao uses both. */
  readonly status?: 429 | 400;
}

/** How a call to `/v1/user/unlink` (or `/v1/user/logout`) proved its right to act for the user. */
export type KakaoStubCallerAuth = 'admin-key' | 'user-token';

/** An unlink done by `POST /v1/user/unlink`, as `unlinks()` lists it. */
export interface KakaoStubUnlink {
  readonly userId: string;
  /** `admin-key`: `Authorization: KakaoAK <admin key>` and the target in the form; `user-token`: the user's Bearer. */
  readonly by: KakaoStubCallerAuth;
}

/** Why Kakao tells the app that a user left it (the callback's `referrer_type`). */
export type KakaoStubUnlinkReferrer =
  'UNLINK_FROM_APPS' | 'UNLINK_FROM_ADMIN' | 'ACCOUNT_DELETE' | 'FORCED_ACCOUNT_DELETE' | 'INCOMPLETE_SIGN_UP';

/** The unlink callback (연결 끊기 알림) to send, as Kakao sends it for the default app. */
export interface KakaoStubUnlinkCallback {
  /** The callback URL registered with Kakao, e.g. `http://127.0.0.1:3000/api/v1/auth/kakao/unlink`. */
  readonly url: string;
  /** The registered method: `POST` (default) sends a form body, `GET` a query string. */
  readonly method?: 'GET' | 'POST';
  /** The `user_id` parameter, sent as given (the user need not exist in the stub). */
  readonly userId: string;
  readonly referrerType: KakaoStubUnlinkReferrer;
  /** Sent as `Authorization: KakaoAK <adminKey>`; defaults to the default app's, override it to forge a callback. */
  readonly adminKey?: string;
  /** The `app_id` parameter; defaults to the default app's, override it to forge a callback. */
  readonly appId?: number;
}

/** What the service under test answered to an unlink callback. */
export interface KakaoStubUnlinkCallbackResult {
  /** The HTTP status (a redirect is not followed, so a 3xx is reported as such); 0 when no answer came. */
  readonly status: number;
  /** Why no answer came (no answer within 3 s, connection refused, ...); present only when `status` is 0. */
  readonly error?: string;
}

/** One request the stub received on a Kakao path (control paths are not recorded). */
export interface KakaoStubRequest {
  /** ISO timestamp of arrival. */
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body text. */
  readonly body: string;
  /** The body's fields when it was `application/x-www-form-urlencoded`, else empty. */
  readonly form: Readonly<Record<string, string>>;
}

/** Narrows the request log. */
export interface KakaoStubRequestFilter {
  readonly path?: string;
  readonly method?: string;
}

/**
 * The test controls of the stub. `KakaoStub` offers them in process and `KakaoStubClient` over the `/__stub/` HTTP
 * paths (for tests running in another process than the stub), so a helper can take either.
 */
export interface KakaoStubControl {
  /** Base URL serving both the kauth and the kapi paths. */
  readonly url: string;
  /**
   * Forgets codes, tokens, connections, unlinks, queued decisions, faults, the clock offset, the log and added users;
   * apps (and their redirect URIs) stay.
   */
  reset(): Promise<void>;
  /** Adds (or replaces) an app; apps survive `reset`. */
  addApp(app: KakaoStubApp): Promise<void>;
  /** Adds a redirect URI to an app (default app unless `clientId` is given). */
  registerRedirectUri(uri: string, clientId?: string): Promise<void>;
  /** Adds (or replaces) a user until the next `reset`. */
  addUser(user: KakaoStubUser): Promise<void>;
  /** The next `/oauth/authorize` is approved by this user. Decisions queue up, first in first out. */
  nextLogin(userId: string): Promise<void>;
  /** The next `/oauth/authorize` is cancelled by the user (`error=access_denied`). */
  denyNextLogin(): Promise<void>;
  /** Issues an access token directly, as if the user had logged in to the app (the user becomes connected). */
  issueToken(request: KakaoStubTokenRequest): Promise<KakaoStubIssuedToken>;
  /** Issues a token of the second app (`KAKAO_OTHER_APP`), as a Kakao SDK login to another app would yield. */
  issueOtherAppToken(userId?: string): Promise<KakaoStubIssuedToken>;
  /** Issues a token of the default app that has already expired. */
  issueExpiredToken(userId?: string): Promise<KakaoStubIssuedToken>;
  /** Issues an authorization code directly, as if `/oauth/authorize` had redirected with it. */
  issueCode(request: KakaoStubCodeRequest): Promise<string>;
  /** Issues a code that was already exchanged once: exchanging it answers KOE320. */
  issueConsumedCode(request: KakaoStubCodeRequest): Promise<string>;
  /** Whether the user is connected to the app (logged in once, not unlinked since). */
  isConnected(userId: string, clientId?: string): Promise<boolean>;
  /** Slows down the next matching requests. */
  delayNext(delay: KakaoStubDelay): Promise<void>;
  /** Fails the next matching requests (503 by default); `failUnlinks` is a separate rule that composes with it. */
  failNext(failure?: KakaoStubFailure): Promise<void>;
  /** Refuses the next token requests with KOE237. */
  rateLimitNext(rateLimit?: KakaoStubRateLimit): Promise<void>;
  /** Fails the next `count` calls to `POST /v1/user/unlink` at once with `status` (503 by default), unlinking no one. */
  failUnlinks(count: number, status?: 500 | 503): Promise<void>;
  /** The unlinks done through `POST /v1/user/unlink`, oldest first (refused and failed calls are not listed). */
  unlinks(): Promise<KakaoStubUnlink[]>;
  /**
   * Sends the unlink callback to the service under test as Kakao does, following no redirect and giving up after
   * 3 s. A genuine callback (the app's own admin key and app id) first unlinks the user from the default app in the
   * stub, since every referrer type means the link is gone on Kakao's side; a forged one changes nothing.
   */
  fireUnlinkCallback(callback: KakaoStubUnlinkCallback): Promise<KakaoStubUnlinkCallbackResult>;
  /** Moves the stub's clock forward, to expire codes and tokens. */
  advanceTime(seconds: number): Promise<void>;
  /** The requests received on Kakao paths, oldest first. */
  requests(filter?: KakaoStubRequestFilter): Promise<KakaoStubRequest[]>;
  /** Empties the request log. */
  clearRequests(): Promise<void>;
}
