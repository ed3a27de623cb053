import { PROBLEM_CONTENT_TYPE } from '@app/core';

/** What must never reach a client: stacks, source paths, SQL, driver and runtime error names. */
const LEAK =
  /node_modules|\.[jt]s:\d+|\bat [\w.<>]+ \(|QueryFailedError|\b(SELECT|INSERT|UPDATE|DELETE) .*\b(FROM|INTO|SET)\b|syntax error at|violates|duplicate key|ioredis|ECONNREFUSED|(Type|Range|Reference)Error/;

/**
 * Why `response` (already read as `text`) is not a proper RFC 9457 answer of Modak: problem+json with `type`, `title`,
 * `status` (the response's), `detail`, an UPPER_SNAKE `code` and the `requestId` of the X-Request-Id header, and no
 * internals. Undefined when it is one.
 */
export function problemFault(response: Response, text: string): string | undefined {
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith(PROBLEM_CONTENT_TYPE)) return `content-type ${type || 'missing'}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'a body that is not JSON';
  }
  if (problem.status !== response.status) return `status ${String(problem.status)} in the body`;
  for (const field of ['type', 'title', 'detail', 'requestId'] as const) {
    if (typeof problem[field] !== 'string') return `no ${field}`;
  }
  if (typeof problem.code !== 'string' || !/^[A-Z][A-Z_]+$/.test(problem.code)) return 'no UPPER_SNAKE code';
  if (problem.requestId !== response.headers.get('x-request-id')) return 'a requestId unlike X-Request-Id';
  if (LEAK.test(text)) return `internals in the body: ${text.slice(0, 200)}`;
  return undefined;
}
