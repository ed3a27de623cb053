import type { Env } from '@app/core';
import { freePort, type KakaoStub, type TestDatabase } from '@app/testing';
import { loadApiConfig } from '../../apps/api/src/api.config.js';
import { createApiApp } from '../../apps/api/src/app.factory.js';
import { TEST_SPA_ORIGIN, testApiEnv, type TestApi } from './api.js';

/**
 * Starts the real api pointed at `stub`, on a port picked beforehand so that its own callback URL is the redirect
 * URI: Kakao's redirects then lead the test's browser to the api itself.
 */
export async function startApiWithKakao(
  database: TestDatabase,
  stub: KakaoStub,
  overrides: Env = {},
): Promise<TestApi> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const redirectUri = `${url}/api/v1/auth/kakao/callback`;
  await stub.registerRedirectUri(redirectUri);
  const config = loadApiConfig(testApiEnv(database, { ...stub.env(redirectUri), PORT: String(port), ...overrides }));
  const app = await createApiApp(config);
  await app.listen({ port, host: '127.0.0.1' });
  return { app, config, url, close: () => app.close() };
}

interface StoredCookie {
  origin: string;
  path: string;
  name: string;
  value: string;
  /** The raw Set-Cookie line, for tests that check its attributes. */
  raw: string;
}

/**
 * A browser as far as a sign-in needs one: it follows no redirect by itself, keeps cookies per origin and path (and
 * forgets expired ones), and comes from its own address (`X-Forwarded-For`, which the api trusts for one hop), so that
 * per-IP rate limits of one test leave the others alone.
 */
export class Browser {
  private readonly cookies = new Map<string, StoredCookie>();

  constructor(readonly ip: string) {}

  get(url: string): Promise<Response> {
    return this.request('GET', url);
  }

  post(url: string, body?: unknown): Promise<Response> {
    return this.request('POST', url, body);
  }

  /** Another browser holding the same cookies now (say, a copy an attacker made), from its own address. */
  clone(ip: string): Browser {
    const copy = new Browser(ip);
    for (const [key, cookie] of this.cookies) copy.cookies.set(key, { ...cookie });
    return copy;
  }

  /** The cookie `name` as the browser holds it for `url`. */
  cookie(url: string, name: string): StoredCookie | undefined {
    return this.matching(new URL(url)).find((cookie) => cookie.name === name);
  }

  private async request(method: string, url: string, body?: unknown): Promise<Response> {
    const target = new URL(url);
    const cookie = this.matching(target)
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        'x-forwarded-for': this.ip,
        // As the SPA's page does: a browser names the page's origin on every POST.
        ...(method === 'POST' ? { origin: TEST_SPA_ORIGIN } : {}),
        ...(cookie ? { cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const line of response.headers.getSetCookie()) this.keep(target, line);
    return response;
  }

  private keep(target: URL, line: string): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const attribute = (key: string) =>
      attributes.find((part) => part.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const path = attribute('path') ?? '/';
    const maxAge = attribute('max-age');
    const expires = attribute('expires');
    const expired =
      (maxAge !== undefined && Number(maxAge) <= 0) || (expires !== undefined && Date.parse(expires) <= Date.now());
    const key = `${target.origin} ${path} ${name}`;
    if (expired) this.cookies.delete(key);
    else this.cookies.set(key, { origin: target.origin, path, name, value, raw: line });
  }

  private matching(target: URL): StoredCookie[] {
    return [...this.cookies.values()].filter(
      (cookie) =>
        cookie.origin === target.origin &&
        (target.pathname === cookie.path || target.pathname.startsWith(cookie.path.replace(/\/?$/, '/'))),
    );
  }
}
