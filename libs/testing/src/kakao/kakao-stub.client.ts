import {
  KAKAO_DEFAULT_APP,
  KAKAO_FULL_CONSENT_USER,
  KAKAO_LOCAL_REDIRECT_URI,
  KAKAO_OTHER_APP,
  KAKAO_OTHER_APP_USER,
  kakaoStubEnv,
} from './kakao-stub.fixtures.js';
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

/**
 * Drives a `KakaoStub` running in another process (for example started by jest's global setup) through its
 * `/__stub/` control paths. A refused control call rejects with the stub's message.
 */
export class KakaoStubClient implements KakaoStubControl {
  /** @param url the stub's base URL, e.g. `http://127.0.0.1:8089`. */
  constructor(readonly url: string) {}

  /** The variables that point the API at the stub as the default app. */
  env(redirectUri: string = KAKAO_LOCAL_REDIRECT_URI): Record<string, string> {
    return kakaoStubEnv(this.url, redirectUri);
  }

  async reset(): Promise<void> {
    await this.call('POST', '/__stub/reset');
  }

  async addApp(app: KakaoStubApp): Promise<void> {
    await this.call('POST', '/__stub/apps', app);
  }

  async registerRedirectUri(uri: string, clientId: string = KAKAO_DEFAULT_APP.clientId): Promise<void> {
    await this.call('POST', '/__stub/redirect-uris', { uri, clientId });
  }

  async addUser(user: KakaoStubUser): Promise<void> {
    await this.call('POST', '/__stub/users', user);
  }

  async nextLogin(userId: string): Promise<void> {
    await this.call('POST', '/__stub/next-login', { userId });
  }

  async denyNextLogin(): Promise<void> {
    await this.call('POST', '/__stub/next-login', { deny: true });
  }

  async issueToken(request: KakaoStubTokenRequest): Promise<KakaoStubIssuedToken> {
    return (await this.call('POST', '/__stub/tokens', request)) as KakaoStubIssuedToken;
  }

  async issueOtherAppToken(userId: string = KAKAO_OTHER_APP_USER.id): Promise<KakaoStubIssuedToken> {
    return this.issueToken({ userId, clientId: KAKAO_OTHER_APP.clientId });
  }

  async issueExpiredToken(userId: string = KAKAO_FULL_CONSENT_USER.id): Promise<KakaoStubIssuedToken> {
    return this.issueToken({ userId, expiresIn: -1 });
  }

  async issueCode(request: KakaoStubCodeRequest): Promise<string> {
    return ((await this.call('POST', '/__stub/codes', request)) as { code: string }).code;
  }

  async issueConsumedCode(request: KakaoStubCodeRequest): Promise<string> {
    return this.issueCode({ ...request, consumed: true });
  }

  async isConnected(userId: string, clientId: string = KAKAO_DEFAULT_APP.clientId): Promise<boolean> {
    const query = new URLSearchParams({ userId, clientId });
    return ((await this.call('GET', `/__stub/connections?${query.toString()}`)) as { connected: boolean }).connected;
  }

  async delayNext(delay: KakaoStubDelay): Promise<void> {
    await this.call('POST', '/__stub/delay', delay);
  }

  async failNext(failure: KakaoStubFailure = {}): Promise<void> {
    await this.call('POST', '/__stub/fail', failure);
  }

  async failUnlinks(count: number, status?: 500 | 503): Promise<void> {
    await this.call('POST', '/__stub/fail-unlinks', { count, status });
  }

  async unlinks(): Promise<KakaoStubUnlink[]> {
    return (await this.call('GET', '/__stub/unlinks')) as KakaoStubUnlink[];
  }

  async fireUnlinkCallback(callback: KakaoStubUnlinkCallback): Promise<KakaoStubUnlinkCallbackResult> {
    return (await this.call('POST', '/__stub/unlink-callback', callback)) as KakaoStubUnlinkCallbackResult;
  }

  async rateLimitNext(rateLimit: KakaoStubRateLimit = {}): Promise<void> {
    await this.call('POST', '/__stub/rate-limit', rateLimit);
  }

  async advanceTime(seconds: number): Promise<void> {
    await this.call('POST', '/__stub/clock', { advanceSeconds: seconds });
  }

  async requests(filter: KakaoStubRequestFilter = {}): Promise<KakaoStubRequest[]> {
    const query = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => !!entry[1]));
    return (await this.call('GET', `/__stub/requests?${query.toString()}`)) as KakaoStubRequest[];
  }

  async clearRequests(): Promise<void> {
    await this.call('DELETE', '/__stub/requests');
  }

  /** Sends a control call; resolves with the parsed JSON answer (undefined for 204), rejects on an error status. */
  private async call(method: string, path: string, body?: object): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const message = (parsed as { error?: string } | undefined)?.error ?? `HTTP ${response.status}`;
      throw new Error(`Kakao stub refused ${method} ${path}: ${message}`);
    }
    return parsed;
  }
}
