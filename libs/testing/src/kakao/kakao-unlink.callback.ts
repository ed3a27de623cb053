import { KAKAO_DEFAULT_APP } from './kakao-stub.fixtures.js';
import { KakaoStubInputError, type KakaoStubStore } from './kakao-stub.store.js';
import type {
  KakaoStubUnlinkCallback,
  KakaoStubUnlinkCallbackResult,
  KakaoStubUnlinkReferrer,
} from './kakao-stub.types.js';

/** Kakao gives the service this long to answer an unlink callback, then counts it as failed. */
export const KAKAO_UNLINK_CALLBACK_TIMEOUT_MS = 3_000;

const REFERRER_TYPES: ReadonlySet<string> = new Set<KakaoStubUnlinkReferrer>([
  'UNLINK_FROM_APPS',
  'UNLINK_FROM_ADMIN',
  'ACCOUNT_DELETE',
  'FORCED_ACCOUNT_DELETE',
  'INCOMPLETE_SIGN_UP',
]);

/**
 * Sends the default app's unlink callback (연결 끊기 알림) as Kakao does: `Authorization: KakaoAK <admin key>` and
 * `app_id`, `user_id`, `referrer_type` as a query string (GET) or a form body (POST). Kakao looks only at the status,
 * follows no redirect and waits 3 s. A genuine callback (the app's own admin key and app id) reports a link Kakao has
 * already ended, so the user is unlinked in the store before it is sent; a forged one leaves the store alone.
 */
export async function fireUnlinkCallback(
  store: KakaoStubStore,
  callback: KakaoStubUnlinkCallback,
): Promise<KakaoStubUnlinkCallbackResult> {
  const url = callbackUrl(callback.url);
  const method = callback.method ?? 'POST';
  if (method !== 'GET' && method !== 'POST') throw new KakaoStubInputError('method must be GET or POST');
  if (!REFERRER_TYPES.has(callback.referrerType)) {
    throw new KakaoStubInputError(`referrerType must be one of ${[...REFERRER_TYPES].join(', ')}`);
  }
  if (!callback.userId) throw new KakaoStubInputError('userId is required');
  const app = store.requireApp(KAKAO_DEFAULT_APP.clientId);
  const adminKey = callback.adminKey ?? app.adminKey;
  const appId = callback.appId ?? app.appId;
  if (adminKey === app.adminKey && appId === app.appId) store.disconnect(callback.userId, app.clientId);

  const params = new URLSearchParams({
    app_id: String(appId),
    user_id: callback.userId,
    referrer_type: callback.referrerType,
  });
  if (method === 'GET') for (const [name, value] of params) url.searchParams.append(name, value);
  try {
    const response = await fetch(url, {
      method,
      headers: { authorization: `KakaoAK ${adminKey}` },
      body: method === 'POST' ? params : undefined,
      redirect: 'manual',
      signal: AbortSignal.timeout(KAKAO_UNLINK_CALLBACK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    return { status: response.status };
  } catch (error) {
    return { status: 0, error: failureReason(error) };
  }
}

function callbackUrl(text: string): URL {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new KakaoStubInputError(`url must be an absolute http(s) URL: ${text}`);
  }
  return url;
}

/**
 * Why the callback got no answer: the timeout, or the network error `fetch` wraps in its `cause`. Read by shape, not
 * `instanceof`: `fetch` rejects with errors of Node's own realm, which is not the code's realm under jest.
 */
function failureReason(error: unknown): string {
  const failure = error as { name?: unknown; message?: unknown; cause?: { message?: unknown } } | null | undefined;
  if (failure?.name === 'TimeoutError') return `no answer within ${KAKAO_UNLINK_CALLBACK_TIMEOUT_MS} ms`;
  const message = failure?.cause?.message ?? failure?.message;
  return typeof message === 'string' ? message : String(error);
}
