/** What a stub handler answers; the server writes it. */
export interface StubReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

const JSON_TYPE = 'application/json;charset=UTF-8';
const MAX_KAKAO_ID = 2n ** 63n - 1n;

/** Whether a string is a Kakao user id: a positive decimal integer that fits a signed 64-bit integer. */
export function isKakaoId(id: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(id) && BigInt(id) <= MAX_KAKAO_ID;
}

/**
 * Writes `{"id":<id>,...rest}` with `id` as a raw integer literal (never through a JavaScript number, which would
 * corrupt ids above 2^53) followed by the other fields in order.
 */
export function jsonWithRawId(id: string, rest: object = {}): string {
  if (!isKakaoId(id)) throw new Error(`Not a Kakao user id: ${id}`);
  const tail = JSON.stringify(rest);
  return tail === '{}' ? `{"id":${id}}` : `{"id":${id},${tail.slice(1)}`;
}

/** A JSON answer from an already written JSON text. */
export function rawJsonReply(status: number, json: string, headers: Record<string, string> = {}): StubReply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: json };
}

/** A JSON answer. */
export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): StubReply {
  return rawJsonReply(status, JSON.stringify(value), headers);
}

/** An empty answer (204 by default). */
export function emptyReply(status = 204): StubReply {
  return { status };
}

/** A redirect to `location`. */
export function redirectReply(location: string): StubReply {
  return { status: 302, headers: { location, 'cache-control': 'no-store' } };
}

/** An HTML page. */
export function htmlReply(status: number, html: string): StubReply {
  return { status, headers: { 'content-type': 'text/html;charset=UTF-8' }, body: html };
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
