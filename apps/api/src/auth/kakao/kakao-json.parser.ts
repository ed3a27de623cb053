/** A JSON string literal and, when it names a member whose value is an integer, that integer. */
const MEMBER = /("(?:[^"\\]|\\.)*")(?:(\s*:\s*)(-?\d+)(?=\s*[,}]))?/g;

/** The members whose integers Modak needs exactly. */
const EXACT_MEMBERS = new Set(['id', 'app_id']);

/**
 * `JSON.parse` for Kakao's answers, except that the integers of `id` and `app_id` members come back as their exact
 * decimal text. Kakao's user ids are 64-bit and `JSON.parse` rounds those above 2^53 (`1376016924429759243` would
 * become `1376016924429759200`). String literals are matched whole, so text inside a string is never touched.
 */
export function parseKakaoJson(text: string): unknown {
  const exact = text.replace(MEMBER, (match, name: string, colon?: string, digits?: string) =>
    digits !== undefined && EXACT_MEMBERS.has(JSON.parse(name) as string) ? `${name}${colon}"${digits}"` : match,
  );
  return JSON.parse(exact);
}
