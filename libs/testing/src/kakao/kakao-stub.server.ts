import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorize, token, type AuthorizeOptions } from './kakao-oauth.handler.js';
import { CONTROL_PREFIX, control } from './kakao-stub-control.handler.js';
import { readExchange, toLoggedRequest, type StubExchange } from './kakao-stub.exchange.js';
import {
  KAKAO_DEFAULT_APP,
  KAKAO_FULL_CONSENT_USER,
  KAKAO_LOCAL_REDIRECT_URI,
  KAKAO_OTHER_APP,
  KAKAO_OTHER_APP_USER,
  kakaoStubEnv,
} from './kakao-stub.fixtures.js';
import { htmlReply, jsonReply, type StubReply } from './kakao-stub.reply.js';
import { KakaoStubStore } from './kakao-stub.store.js';
import type {
  KakaoStubApp,
  KakaoStubCodeRequest,
  KakaoStubControl,
  KakaoStubDelay,
  KakaoStubFailure,
  KakaoStubIssuedToken,
  KakaoStubRateLimit,
  KakaoStubRequest,
  KakaoStubRequestFilter,
  KakaoStubTokenRequest,
  KakaoStubUnlink,
  KakaoStubUnlinkCallback,
  KakaoStubUnlinkCallbackResult,
  KakaoStubUser,
} from './kakao-stub.types.js';
import { fireUnlinkCallback } from './kakao-unlink.callback.js';
import { accessTokenInfo, apiError, logout, unlink, userMe } from './kakao-user-api.handler.js';

/** How to start the stub. */
export interface KakaoStubOptions {
  /** The port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Redirect URIs registered for the default app from the start. */
  readonly redirectUris?: readonly string[];
  /**
   * Without a queued decision, show a page to pick the user instead of approving as the full-consent user at once
   * (for clicking through the SPA locally). Off by default: tests get an immediate redirect.
   */
  readonly loginPage?: boolean;
}

type KakaoRoute = (exchange: StubExchange, store: KakaoStubStore, options: AuthorizeOptions) => StubReply;

const KAKAO_ROUTES: Readonly<Record<string, KakaoRoute>> = {
  'GET /oauth/authorize': authorize,
  'POST /oauth/token': token,
  'GET /v2/user/me': userMe,
  'POST /v2/user/me': userMe,
  'GET /v1/user/access_token_info': accessTokenInfo,
  'POST /v1/user/logout': logout,
  'POST /v1/user/unlink': unlink,
};

/**
 * A Kakao Login stand-in for tests and local work: one `node:http` server on 127.0.0.1 serving the kauth paths
 * (`/oauth/authorize`, `/oauth/token`) and the kapi paths (`/v2/user/me`, `/v1/user/access_token_info`,
 * `/v1/user/logout`, `/v1/user/unlink`) with Kakao's bodies and errors, plus test-only controls under `/__stub/`.
 * The control methods (documented on `KakaoStubControl`) act in process; `KakaoStubClient` offers the same over HTTP.
 */
export class KakaoStub implements KakaoStubControl {
  /** Base URL of both hosts, e.g. `http://127.0.0.1:8089` (no trailing slash). */
  readonly url: string;
  private readonly pendingDelays = new Set<() => void>();
  private stopped = false;

  private constructor(
    private readonly server: Server,
    private readonly store: KakaoStubStore,
    private readonly authorizeOptions: AuthorizeOptions,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Starts a stub with the predefined apps and users. */
  static async start(options: KakaoStubOptions = {}): Promise<KakaoStub> {
    const server = createServer();
    await listen(server, options.port ?? 0);
    const stub = new KakaoStub(server, new KakaoStubStore(options.redirectUris), {
      loginPage: options.loginPage ?? false,
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void stub.handle(request, response));
    return stub;
  }

  /** Stops listening, ends pending delays and drops open connections. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const finish of [...this.pendingDelays]) finish();
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
    this.server.closeAllConnections();
    await closed;
  }

  /** The variables that point the API at this stub as the default app. */
  env(redirectUri: string = KAKAO_LOCAL_REDIRECT_URI): Record<string, string> {
    return kakaoStubEnv(this.url, redirectUri);
  }

  reset(): Promise<void> {
    return settle(() => this.store.reset());
  }

  addApp(app: KakaoStubApp): Promise<void> {
    return settle(() => this.store.addApp(app));
  }

  registerRedirectUri(uri: string, clientId: string = KAKAO_DEFAULT_APP.clientId): Promise<void> {
    return settle(() => this.store.registerRedirectUri(uri, clientId));
  }

  addUser(user: KakaoStubUser): Promise<void> {
    return settle(() => this.store.addUser(user));
  }

  nextLogin(userId: string): Promise<void> {
    return settle(() => this.store.queueDecision({ kind: 'approve', userId }));
  }

  denyNextLogin(): Promise<void> {
    return settle(() => this.store.queueDecision({ kind: 'deny' }));
  }

  issueToken(request: KakaoStubTokenRequest): Promise<KakaoStubIssuedToken> {
    return settle(() => this.store.issueToken(request));
  }

  issueOtherAppToken(userId: string = KAKAO_OTHER_APP_USER.id): Promise<KakaoStubIssuedToken> {
    return settle(() => this.store.issueToken({ userId, clientId: KAKAO_OTHER_APP.clientId }));
  }

  issueExpiredToken(userId: string = KAKAO_FULL_CONSENT_USER.id): Promise<KakaoStubIssuedToken> {
    return settle(() => this.store.issueToken({ userId, expiresIn: -1 }));
  }

  issueCode(request: KakaoStubCodeRequest): Promise<string> {
    return settle(() => this.store.issueCode(request));
  }

  issueConsumedCode(request: KakaoStubCodeRequest): Promise<string> {
    return settle(() => this.store.issueCode({ ...request, consumed: true }));
  }

  isConnected(userId: string, clientId: string = KAKAO_DEFAULT_APP.clientId): Promise<boolean> {
    return settle(() => this.store.isConnected(userId, clientId));
  }

  delayNext(delay: KakaoStubDelay): Promise<void> {
    return settle(() => this.store.setDelay(delay));
  }

  failNext(failure: KakaoStubFailure = {}): Promise<void> {
    return settle(() => this.store.setFailure(failure));
  }

  failUnlinks(count: number, status?: 500 | 503): Promise<void> {
    return settle(() => this.store.setUnlinkFailure(count, status));
  }

  unlinks(): Promise<KakaoStubUnlink[]> {
    return settle(() => this.store.unlinks());
  }

  fireUnlinkCallback(callback: KakaoStubUnlinkCallback): Promise<KakaoStubUnlinkCallbackResult> {
    return fireUnlinkCallback(this.store, callback);
  }

  rateLimitNext(rateLimit: KakaoStubRateLimit = {}): Promise<void> {
    return settle(() => this.store.setRateLimit(rateLimit));
  }

  advanceTime(seconds: number): Promise<void> {
    return settle(() => this.store.advanceTime(seconds));
  }

  requests(filter: KakaoStubRequestFilter = {}): Promise<KakaoStubRequest[]> {
    return settle(() => this.store.requests(filter));
  }

  clearRequests(): Promise<void> {
    return settle(() => this.store.clearRequests());
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let reply: StubReply;
    try {
      reply = await this.respond(await readExchange(request), response);
    } catch (error) {
      reply = jsonReply(500, {
        msg: `Kakao stub error: ${error instanceof Error ? error.message : String(error)}`,
        code: -1,
      });
    }
    writeReply(response, reply);
  }

  /** Control paths answer at once; Kakao paths are logged, then delayed or failed as the controls say, then routed. */
  private async respond(exchange: StubExchange, response: ServerResponse): Promise<StubReply> {
    if (exchange.path.startsWith(CONTROL_PREFIX)) return control(exchange, this.store);
    this.store.record(toLoggedRequest(exchange, new Date()));
    await this.delay(this.store.takeDelay(exchange.path), response);
    const failureStatus = this.store.takeFailure(exchange.path);
    if (failureStatus !== undefined) return failureReply(exchange.path, failureStatus);
    return this.route(exchange);
  }

  private route(exchange: StubExchange): StubReply {
    const route = KAKAO_ROUTES[`${exchange.method} ${exchange.path}`];
    if (route) return route(exchange, this.store, this.authorizeOptions);
    const pathExists = Object.keys(KAKAO_ROUTES).some((key) => key.endsWith(` ${exchange.path}`));
    return pathExists ? apiError(405, 'method not allowed', -3) : apiError(404, 'not found', -3);
  }

  /** Waits `ms`, cut short when the client goes away or the stub stops. */
  private delay(ms: number, response: ServerResponse): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        response.off('close', finish);
        this.pendingDelays.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      response.on('close', finish);
      this.pendingDelays.add(finish);
    });
  }
}

/** What "Kakao is down" looks like on each kind of path. */
function failureReply(path: string, status: number): StubReply {
  if (path === '/oauth/authorize') {
    return htmlReply(status, '<!doctype html><title>Kakao stub</title><h1>KOE003: temporary server error</h1>');
  }
  if (path.startsWith('/oauth/')) {
    return jsonReply(status, {
      error: 'server_error',
      error_description: 'temporary server error',
      error_code: 'KOE003',
    });
  }
  return apiError(status, 'service temporarily unavailable', -9798);
}

/** Runs `action` now and hands its result (or its error) over as a promise, like the HTTP client would. */
function settle<T>(action: () => T): Promise<T> {
  return new Promise((resolve) => resolve(action()));
}

function writeReply(response: ServerResponse, reply: StubReply): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(reply.status, { ...reply.headers });
  response.end(reply.body);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
