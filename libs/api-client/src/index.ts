/**
 * The typed client of the Modak API for the SPA: openapi-fetch over the types that openapi-typescript generates from
 * the committed OpenAPI document (`schema.d.ts`, written by `npm run api-client`; never edited by hand).
 *
 * ```ts
 * let accessToken: string | undefined;
 * const modak = createModakClient({ baseUrl: 'https://api.modak.example', getAccessToken: () => accessToken });
 * const { data, error } = await modak.POST('/api/v1/auth/login', { body: { email, password } });
 * if (data) accessToken = data.accessToken; // the refresh token stays in its HttpOnly cookie
 * const boards = await modak.GET('/api/v1/boards', { params: { query: { perPage: 10 } } });
 * ```
 *
 * Every call resolves to `{ data, error, response }`: `data` on a 2xx, otherwise `error`, the problem details.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

type Schemas = components['schemas'];

/** RFC 9457 problem details: every error answer of the API. */
export type Problem = Schemas['Problem'];
/** The stable machine code of a problem (`VALIDATION_FAILED`, `TOKEN_REUSED`, ...). */
export type ErrorCode = Problem['code'];
export type User = Schemas['UserResponseDto'];
export type Role = Schemas['Role'];
export type TokenResponse = Schemas['TokenResponseDto'];
export type Session = Schemas['SessionResponseDto'];
export type Board = Schemas['BoardResponseDto'];
export type Task = Schemas['TaskResponseDto'];
export type TaskStatus = Task['status'];
export type TaskEvent = Schemas['TaskEventResponseDto'];

/**
 * A numbered page (`?page=&perPage=`): `hasNext` always, the total while at most 10 000 rows match (null beyond). Pages
 * that start past row 10 000 answer 400 PAGE_TOO_DEEP: go deeper with cursor mode.
 */
export interface Page<T> {
  items: T[];
  meta: Schemas['PageMetaDto'];
}
/** A keyset page (`?limit=&cursor=`): pass `meta.nextCursor` as `cursor` for the next one. */
export interface CursorPage<T> {
  items: T[];
  meta: Schemas['CursorMetaDto'];
}
/** What a list answers: a numbered page, or a keyset page when the request used `limit` or `cursor`. */
export type List<T> = Page<T> | CursorPage<T>;

/** Whether a list answer is a keyset page (it has `meta.nextCursor`). */
export const isCursorPage = <T>(list: List<T>): list is CursorPage<T> => 'nextCursor' in list.meta;

/** Every path of the API carries this prefix (`/api/v1/boards`); `baseUrl` is the API's origin. */
export const API_PREFIX = '/api/v1';

/** An access token, or nothing when signed out. */
export type AccessTokenSource = () => string | null | undefined | Promise<string | null | undefined>;

export interface ModakClientOptions {
  /** The API's origin, `https://api.modak.example` (paths carry `/api/v1`). */
  baseUrl: string;
  /**
   * Whether the browser sends and stores cookies. Default `include`: the refresh cookie (`modak_rt`, HttpOnly,
   * SameSite=Strict, Path=/api/v1/auth) then works for an SPA on another origin of the same site.
   */
  credentials?: RequestInit['credentials'];
  /** Read before each request; a token is sent as `Authorization: Bearer <token>`. */
  getAccessToken?: AccessTokenSource;
  /** Another fetch (tests, retries); defaults to `globalThis.fetch`. */
  fetch?: ClientOptions['fetch'];
  /** Headers on every request. */
  headers?: ClientOptions['headers'];
}

export type ModakClient = Client<paths>;

/**
 * Sends the current access token as a bearer token, unless the call set `Authorization` itself. Routes that need no
 * token ignore it.
 */
export function bearerAuth(getAccessToken: AccessTokenSource): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has('authorization')) return undefined;
      const token = await getAccessToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
}

export function createModakClient(options: ModakClientOptions): ModakClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    credentials: options.credentials ?? 'include',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  if (options.getAccessToken) client.use(bearerAuth(options.getAccessToken));
  return client;
}

/** Whether `value` is the API's problem details (a call's `error`, or a body read some other way). */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const { status, code } = value as Partial<Record<keyof Problem, unknown>>;
  return typeof status === 'number' && typeof code === 'string';
}
