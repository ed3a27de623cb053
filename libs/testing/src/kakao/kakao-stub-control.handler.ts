import type { StubExchange } from './kakao-stub.exchange.js';
import { emptyReply, jsonReply, type StubReply } from './kakao-stub.reply.js';
import { KakaoStubInputError, type KakaoStubStore } from './kakao-stub.store.js';
import type { KakaoStubApp, KakaoStubUnlinkCallback, KakaoStubUser } from './kakao-stub.types.js';
import { fireUnlinkCallback } from './kakao-unlink.callback.js';

/** The prefix of the test-only control paths. */
export const CONTROL_PREFIX = '/__stub/';

type JsonObject = Readonly<Record<string, unknown>>;
type ControlRoute = (store: KakaoStubStore, body: JsonObject, query: URLSearchParams) => StubReply | Promise<StubReply>;

const CONTROL_ROUTES: Readonly<Record<string, ControlRoute>> = {
  'POST /__stub/reset': (store) => {
    store.reset();
    return emptyReply();
  },
  'POST /__stub/apps': (store, body) => {
    store.addApp(appFrom(body));
    return emptyReply();
  },
  'POST /__stub/redirect-uris': (store, body) => {
    store.registerRedirectUri(requiredString(body, 'uri'), optionalString(body, 'clientId'));
    return emptyReply();
  },
  'POST /__stub/users': (store, body) => {
    store.addUser(userFrom(body));
    return emptyReply();
  },
  'POST /__stub/next-login': (store, body) => {
    store.queueDecision(
      optionalBoolean(body, 'deny') ? { kind: 'deny' } : { kind: 'approve', userId: requiredString(body, 'userId') },
    );
    return emptyReply();
  },
  'POST /__stub/tokens': (store, body) =>
    jsonReply(
      201,
      store.issueToken({
        userId: requiredString(body, 'userId'),
        clientId: optionalString(body, 'clientId'),
        expiresIn: optionalNumber(body, 'expiresIn'),
      }),
    ),
  'POST /__stub/codes': (store, body) => {
    const code = store.issueCode({
      redirectUri: requiredString(body, 'redirectUri'),
      userId: optionalString(body, 'userId'),
      clientId: optionalString(body, 'clientId'),
      codeChallenge: optionalString(body, 'codeChallenge'),
      consumed: optionalBoolean(body, 'consumed'),
    });
    return jsonReply(201, { code });
  },
  'GET /__stub/connections': (store, _body, query) =>
    jsonReply(200, { connected: store.isConnected(query.get('userId') ?? '', query.get('clientId') ?? undefined) }),
  'POST /__stub/delay': (store, body) => {
    store.setDelay({
      ms: requiredNumber(body, 'ms'),
      count: optionalNumber(body, 'count'),
      path: optionalString(body, 'path'),
    });
    return emptyReply();
  },
  'POST /__stub/fail': (store, body) => {
    store.setFailure({
      status: optionalNumber(body, 'status'),
      count: optionalNumber(body, 'count'),
      path: optionalString(body, 'path'),
    });
    return emptyReply();
  },
  'POST /__stub/fail-unlinks': (store, body) => {
    store.setUnlinkFailure(requiredNumber(body, 'count'), optionalNumber(body, 'status'));
    return emptyReply();
  },
  'GET /__stub/unlinks': (store) => jsonReply(200, store.unlinks()),
  'POST /__stub/unlink-callback': async (store, body) =>
    jsonReply(200, await fireUnlinkCallback(store, unlinkCallbackFrom(body))),
  'POST /__stub/rate-limit': (store, body) => {
    const status = optionalNumber(body, 'status');
    store.setRateLimit({ count: optionalNumber(body, 'count'), status: status as 429 | 400 | undefined });
    return emptyReply();
  },
  'POST /__stub/clock': (store, body) => {
    store.advanceTime(requiredNumber(body, 'advanceSeconds'));
    return emptyReply();
  },
  'GET /__stub/requests': (store, _body, query) =>
    jsonReply(200, store.requests({ path: query.get('path') ?? undefined, method: query.get('method') ?? undefined })),
  'DELETE /__stub/requests': (store) => {
    store.clearRequests();
    return emptyReply();
  },
};

/**
 * The test-only control paths under `/__stub/` (JSON in, JSON out); a bad input answers 400 `{"error": "..."}`.
 * See `KakaoStubClient` for the calls they serve.
 */
export async function control(exchange: StubExchange, store: KakaoStubStore): Promise<StubReply> {
  const route = CONTROL_ROUTES[`${exchange.method} ${exchange.path}`];
  if (!route) return jsonReply(404, { error: `No stub control at ${exchange.method} ${exchange.path}` });
  try {
    return await route(store, parseJsonObject(exchange.body), exchange.query);
  } catch (error) {
    if (error instanceof KakaoStubInputError) return jsonReply(400, { error: error.message });
    throw error;
  }
}

function parseJsonObject(body: string): JsonObject {
  if (body.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new KakaoStubInputError('The body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new KakaoStubInputError('The body must be a JSON object');
  }
  return value as JsonObject;
}

function appFrom(body: JsonObject): KakaoStubApp {
  const secret = body.clientSecret;
  if (secret !== null && typeof secret !== 'string')
    throw new KakaoStubInputError('clientSecret must be a string or null');
  const redirectUris = body.redirectUris ?? [];
  if (!Array.isArray(redirectUris) || !redirectUris.every((uri): uri is string => typeof uri === 'string')) {
    throw new KakaoStubInputError('redirectUris must be an array of strings');
  }
  return {
    clientId: requiredString(body, 'clientId'),
    appId: requiredNumber(body, 'appId'),
    clientSecret: secret,
    adminKey: requiredString(body, 'adminKey'),
    redirectUris,
  };
}

/** The callback as sent; its values (URL, method, referrer type) are checked where it is fired. */
function unlinkCallbackFrom(body: JsonObject): KakaoStubUnlinkCallback {
  return {
    url: requiredString(body, 'url'),
    method: optionalString(body, 'method') as KakaoStubUnlinkCallback['method'],
    userId: requiredString(body, 'userId'),
    referrerType: requiredString(body, 'referrerType') as KakaoStubUnlinkCallback['referrerType'],
    adminKey: optionalString(body, 'adminKey'),
    appId: optionalNumber(body, 'appId'),
  };
}

function userFrom(body: JsonObject): KakaoStubUser {
  requiredString(body, 'id');
  return body as unknown as KakaoStubUser;
}

function requiredString(body: JsonObject, name: string): string {
  const value = optionalString(body, name);
  if (value === undefined || value === '') throw new KakaoStubInputError(`${name} is required`);
  return value;
}

function optionalString(body: JsonObject, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || typeof value === 'string') return value;
  throw new KakaoStubInputError(`${name} must be a string`);
}

function requiredNumber(body: JsonObject, name: string): number {
  const value = optionalNumber(body, name);
  if (value === undefined) throw new KakaoStubInputError(`${name} is required`);
  return value;
}

function optionalNumber(body: JsonObject, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || typeof value === 'number') return value;
  throw new KakaoStubInputError(`${name} must be a number`);
}

function optionalBoolean(body: JsonObject, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || typeof value === 'boolean') return value;
  throw new KakaoStubInputError(`${name} must be a boolean`);
}
