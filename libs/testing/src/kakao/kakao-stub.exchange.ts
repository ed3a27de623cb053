import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { KakaoStubRequest } from './kakao-stub.types.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** A received request, body read and parsed. */
export interface StubExchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body's fields when it is `application/x-www-form-urlencoded`, else empty. */
  readonly form: URLSearchParams;
}

/** Reads the whole request (up to 1 MiB of body). */
export async function readExchange(request: IncomingMessage): Promise<StubExchange> {
  const url = new URL(request.url ?? '/', 'http://stub.invalid');
  const body = await readBody(request);
  const isForm = (request.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: request.headers,
    body,
    form: new URLSearchParams(isForm ? body : ''),
  };
}

/** The log entry of an exchange. */
export function toLoggedRequest(exchange: StubExchange, at: Date): KakaoStubRequest {
  return {
    at: at.toISOString(),
    method: exchange.method,
    path: exchange.path,
    query: Object.fromEntries(exchange.query),
    headers: flattenHeaders(exchange.headers),
    body: exchange.body,
    form: Object.fromEntries(exchange.form),
  };
}

/** The scheme (as sent: Kakao matches `KakaoAK` case-sensitively) and credentials of `Authorization`, if well formed. */
export function authorization(exchange: StubExchange): { scheme: string; credentials: string } | undefined {
  const match = /^(\S+)\s+(\S+)\s*$/.exec(exchange.headers.authorization ?? '');
  return match ? { scheme: match[1], credentials: match[2] } : undefined;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
