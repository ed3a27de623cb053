import {
  KAKAO_DEFAULT_APP,
  KAKAO_FULL_CONSENT_USER,
  KAKAO_STUB_APPS,
  KAKAO_STUB_USERS,
} from './kakao-stub.fixtures.js';
import { randomToken } from './kakao-stub.pkce.js';
import { isKakaoId } from './kakao-stub.reply.js';
import type {
  KakaoStubApp,
  KakaoStubCallerAuth,
  KakaoStubCodeRequest,
  KakaoStubDelay,
  KakaoStubFailure,
  KakaoStubIssuedToken,
  KakaoStubRateLimit,
  KakaoStubRequest,
  KakaoStubRequestFilter,
  KakaoStubTokenRequest,
  KakaoStubUnlink,
  KakaoStubUser,
} from './kakao-stub.types.js';

/** Kakao's lifetimes, in seconds. */
export const ACCESS_TOKEN_TTL = 21_599;
export const REFRESH_TOKEN_TTL = 5_183_999;
/** A refresh grant rotates the refresh token once it has less than a month left. */
export const REFRESH_ROTATION_THRESHOLD = 2_592_000;
const CODE_TTL = 600;
/** The path `failUnlinks` fails. */
const UNLINK_PATH = '/v1/user/unlink';

/** An authorization code and what it is bound to. */
export interface StoredCode {
  readonly code: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly userId: string;
  readonly codeChallenge?: string;
  readonly expiresAt: number;
}

/** An access or refresh token and whom it belongs to. */
export interface StoredToken {
  readonly token: string;
  readonly userId: string;
  readonly clientId: string;
  readonly expiresAt: number;
}

/** The outcome of looking an access token up. */
export type TokenLookup =
  | { readonly state: 'missing' }
  | { readonly state: 'expired' }
  | { readonly state: 'valid'; readonly token: StoredToken; readonly expiresIn: number };

/** What the (simulated) user does on the next login page. */
export type LoginDecision = { readonly kind: 'approve'; readonly userId: string } | { readonly kind: 'deny' };

interface CountedRule<T> {
  readonly rule: T;
  remaining: number;
}

/** Raised for a control call that names an unknown user or app or passes a bad value; answered as 400. */
export class KakaoStubInputError extends Error {}

/**
 * The whole state of the stub: apps and users (configuration) and codes, tokens, connections, unlinks, queued login
 * decisions, faults, the clock offset and the request log (runtime state, cleared by `reset`).
 */
export class KakaoStubStore {
  private readonly apps = new Map<string, KakaoStubApp>();
  private users = new Map<string, KakaoStubUser>();
  private readonly codes = new Map<string, StoredCode>();
  private readonly accessTokens = new Map<string, StoredToken>();
  private readonly refreshTokens = new Map<string, StoredToken>();
  private readonly connections = new Set<string>();
  private unlinkLog: KakaoStubUnlink[] = [];
  private decisions: LoginDecision[] = [];
  private delay?: CountedRule<KakaoStubDelay>;
  private failure?: CountedRule<KakaoStubFailure>;
  private unlinkFailure?: CountedRule<KakaoStubFailure>;
  private rateLimit?: CountedRule<KakaoStubRateLimit>;
  private clockOffsetMs = 0;
  private log: KakaoStubRequest[] = [];

  constructor(redirectUris: readonly string[] = []) {
    for (const app of KAKAO_STUB_APPS) this.addApp(app);
    for (const uri of redirectUris) this.registerRedirectUri(uri);
    this.users = defaultUsers();
  }

  /** Clears the runtime state and restores the predefined users; apps and their redirect URIs stay. */
  reset(): void {
    this.users = defaultUsers();
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.connections.clear();
    this.unlinkLog = [];
    this.decisions = [];
    this.delay = undefined;
    this.failure = undefined;
    this.unlinkFailure = undefined;
    this.rateLimit = undefined;
    this.clockOffsetMs = 0;
    this.log = [];
  }

  /** Milliseconds since the epoch on the stub's clock. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceTime(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) throw new KakaoStubInputError('seconds must be a number >= 0');
    this.clockOffsetMs += seconds * 1000;
  }

  // Apps

  addApp(app: KakaoStubApp): void {
    if (!app.clientId || !Number.isSafeInteger(app.appId) || app.appId <= 0) {
      throw new KakaoStubInputError('An app needs a clientId and a positive integer appId');
    }
    this.apps.set(app.clientId, { ...app, redirectUris: [...app.redirectUris] });
  }

  app(clientId: string): KakaoStubApp | undefined {
    return this.apps.get(clientId);
  }

  /** The app, or a `KakaoStubInputError` naming the unknown client id. */
  requireApp(clientId: string): KakaoStubApp {
    const app = this.apps.get(clientId);
    if (!app) throw new KakaoStubInputError(`Unknown app: ${clientId}`);
    return app;
  }

  appByAdminKey(adminKey: string): KakaoStubApp | undefined {
    return [...this.apps.values()].find((app) => app.adminKey === adminKey);
  }

  registerRedirectUri(uri: string, clientId: string = KAKAO_DEFAULT_APP.clientId): void {
    const app = this.requireApp(clientId);
    if (!URL.canParse(uri)) throw new KakaoStubInputError(`Not an absolute URL: ${uri}`);
    if (!app.redirectUris.includes(uri)) this.apps.set(clientId, { ...app, redirectUris: [...app.redirectUris, uri] });
  }

  isRegisteredRedirect(clientId: string, uri: string): boolean {
    return this.apps.get(clientId)?.redirectUris.includes(uri) ?? false;
  }

  // Users and connections

  addUser(user: KakaoStubUser): void {
    if (!isKakaoId(user.id)) throw new KakaoStubInputError(`A user id must be a decimal 64-bit integer: ${user.id}`);
    this.users.set(user.id, structuredClone(user));
  }

  user(userId: string): KakaoStubUser | undefined {
    return this.users.get(userId);
  }

  allUsers(): KakaoStubUser[] {
    return [...this.users.values()];
  }

  isConnected(userId: string, clientId: string = KAKAO_DEFAULT_APP.clientId): boolean {
    return this.connections.has(connectionKey(userId, clientId));
  }

  /** Ends the connection (unlink) and every token of the user for that app. */
  disconnect(userId: string, clientId: string): void {
    this.connections.delete(connectionKey(userId, clientId));
    this.revokeTokens(userId, clientId);
  }

  /** An unlink requested through the API (`POST /v1/user/unlink`): disconnects the user and records the call. */
  unlink(userId: string, clientId: string, by: KakaoStubCallerAuth): void {
    this.disconnect(userId, clientId);
    this.unlinkLog.push({ userId, by });
  }

  unlinks(): KakaoStubUnlink[] {
    return [...this.unlinkLog];
  }

  // Login decisions

  queueDecision(decision: LoginDecision): void {
    if (decision.kind === 'approve') this.requireUser(decision.userId);
    this.decisions.push(decision);
  }

  /** The next queued decision, if a test queued one. */
  takeDecision(): LoginDecision | undefined {
    return this.decisions.shift();
  }

  // Codes

  issueCode(request: KakaoStubCodeRequest): string {
    const clientId = request.clientId ?? KAKAO_DEFAULT_APP.clientId;
    const userId = request.userId ?? KAKAO_FULL_CONSENT_USER.id;
    this.requireApp(clientId);
    this.requireUser(userId);
    const code = randomToken(48);
    this.codes.set(code, {
      code,
      clientId,
      redirectUri: request.redirectUri,
      userId,
      codeChallenge: request.codeChallenge,
      expiresAt: this.now() + CODE_TTL * 1000,
    });
    this.connections.add(connectionKey(userId, clientId));
    if (request.consumed) this.codes.delete(code);
    return code;
  }

  /** Removes the code (a code is single use, whatever the outcome) and returns it when it was still valid. */
  takeCode(code: string): StoredCode | undefined {
    const stored = this.codes.get(code);
    this.codes.delete(code);
    return stored && stored.expiresAt > this.now() ? stored : undefined;
  }

  // Tokens

  issueToken(request: KakaoStubTokenRequest): KakaoStubIssuedToken {
    const app = this.requireApp(request.clientId ?? KAKAO_DEFAULT_APP.clientId);
    this.requireUser(request.userId);
    const expiresIn = request.expiresIn ?? ACCESS_TOKEN_TTL;
    const accessToken = this.storeToken(this.accessTokens, request.userId, app.clientId, expiresIn);
    const refreshToken = this.storeToken(this.refreshTokens, request.userId, app.clientId, REFRESH_TOKEN_TTL);
    this.connections.add(connectionKey(request.userId, app.clientId));
    return { accessToken, refreshToken, expiresIn, userId: request.userId, clientId: app.clientId, appId: app.appId };
  }

  /** A new access token for the same user and app, from a refresh token. */
  issueAccessToken(userId: string, clientId: string): string {
    return this.storeToken(this.accessTokens, userId, clientId, ACCESS_TOKEN_TTL);
  }

  /** A new refresh token replacing `previous`. */
  rotateRefreshToken(previous: StoredToken): string {
    this.refreshTokens.delete(previous.token);
    return this.storeToken(this.refreshTokens, previous.userId, previous.clientId, REFRESH_TOKEN_TTL);
  }

  lookupAccessToken(token: string): TokenLookup {
    const stored = this.accessTokens.get(token);
    if (!stored) return { state: 'missing' };
    const remainingMs = stored.expiresAt - this.now();
    if (remainingMs <= 0) return { state: 'expired' };
    return { state: 'valid', token: stored, expiresIn: Math.floor(remainingMs / 1000) };
  }

  /** The valid refresh token of that app, if any. */
  findRefreshToken(token: string, clientId: string): StoredToken | undefined {
    const stored = this.refreshTokens.get(token);
    return stored?.clientId === clientId && stored.expiresAt > this.now() ? stored : undefined;
  }

  /** Seconds a refresh token has left. */
  secondsLeft(token: StoredToken): number {
    return Math.floor((token.expiresAt - this.now()) / 1000);
  }

  /** Ends every access and refresh token of the user for that app (logout). */
  revokeTokens(userId: string, clientId: string): void {
    for (const tokens of [this.accessTokens, this.refreshTokens]) {
      for (const [key, stored] of tokens) {
        if (stored.userId === userId && stored.clientId === clientId) tokens.delete(key);
      }
    }
  }

  // Faults

  setDelay(delay: KakaoStubDelay): void {
    if (!Number.isFinite(delay.ms) || delay.ms < 0) throw new KakaoStubInputError('ms must be a number >= 0');
    this.delay = { rule: delay, remaining: validCount(delay.count) };
  }

  setFailure(failure: KakaoStubFailure): void {
    const status = failure.status ?? 503;
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new KakaoStubInputError('status must be an HTTP error status');
    }
    this.failure = { rule: failure, remaining: validCount(failure.count) };
  }

  /** Fails the next `count` unlink calls; kept apart from `setFailure` so that a test can use both. */
  setUnlinkFailure(count: number, status = 503): void {
    if (status !== 500 && status !== 503) throw new KakaoStubInputError('status must be 500 or 503');
    this.unlinkFailure = { rule: { status, path: UNLINK_PATH }, remaining: validCount(count) };
  }

  setRateLimit(rateLimit: KakaoStubRateLimit): void {
    if (rateLimit.status !== undefined && rateLimit.status !== 429 && rateLimit.status !== 400) {
      throw new KakaoStubInputError('status must be 429 or 400');
    }
    this.rateLimit = { rule: rateLimit, remaining: validCount(rateLimit.count) };
  }

  /** The delay (ms) the request to `path` must wait, using up one count; 0 when none applies. */
  takeDelay(path: string): number {
    return takeMatching(this.delay, path)?.ms ?? 0;
  }

  /** The failure status the request to `path` must answer, using up one count of the first rule that applies. */
  takeFailure(path: string): number | undefined {
    const failure = takeMatching(this.failure, path) ?? takeMatching(this.unlinkFailure, path);
    return failure ? (failure.status ?? 503) : undefined;
  }

  /** The KOE237 status the token request must answer, using up one count. */
  takeRateLimit(): number | undefined {
    const rateLimit = takeOne(this.rateLimit);
    return rateLimit ? (rateLimit.status ?? 429) : undefined;
  }

  // Request log

  record(request: KakaoStubRequest): void {
    this.log.push(request);
  }

  requests(filter: KakaoStubRequestFilter = {}): KakaoStubRequest[] {
    return this.log.filter(
      (request) =>
        (filter.path === undefined || request.path === filter.path) &&
        (filter.method === undefined || request.method === filter.method.toUpperCase()),
    );
  }

  clearRequests(): void {
    this.log = [];
  }

  private storeToken(tokens: Map<string, StoredToken>, userId: string, clientId: string, ttl: number): string {
    const token = randomToken();
    tokens.set(token, { token, userId, clientId, expiresAt: this.now() + ttl * 1000 });
    return token;
  }

  private requireUser(userId: string): KakaoStubUser {
    const user = this.users.get(userId);
    if (!user) throw new KakaoStubInputError(`Unknown user: ${userId}`);
    return user;
  }
}

function defaultUsers(): Map<string, KakaoStubUser> {
  return new Map(KAKAO_STUB_USERS.map((user) => [user.id, user]));
}

function connectionKey(userId: string, clientId: string): string {
  return `${clientId}\n${userId}`;
}

function validCount(count: number | undefined): number {
  const value = count ?? 1;
  if (!Number.isInteger(value) || value < 1) throw new KakaoStubInputError('count must be an integer >= 1');
  return value;
}

function takeMatching<T extends { readonly path?: string }>(
  counted: CountedRule<T> | undefined,
  path: string,
): T | undefined {
  if (counted?.rule.path !== undefined && counted.rule.path !== path) return undefined;
  return takeOne(counted);
}

function takeOne<T>(counted: CountedRule<T> | undefined): T | undefined {
  if (!counted || counted.remaining < 1) return undefined;
  counted.remaining -= 1;
  return counted.rule;
}
