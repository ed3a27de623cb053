import { invalidSpaRedirect } from '../auth.errors.js';

/** A path of the SPA: one leading `/`, then no whitespace, control characters, backslashes or `//`. */
const SPA_PATH = /^(?!.*\/\/)\/[^\s\\\p{Cc}]*$/u;
const MAX_SPA_PATH = 512;

/** Where the SPA wants to land after sign-in; `/` when not given. Anything but a plain path of the SPA is refused. */
export function spaPathOf(redirect: unknown): string {
  if (redirect === undefined) return '/';
  if (typeof redirect !== 'string' || redirect.length > MAX_SPA_PATH || !SPA_PATH.test(redirect)) {
    throw invalidSpaRedirect();
  }
  return redirect;
}

/** `path` (from {@link spaPathOf}) inside the SPA at `frontendUrl`; always on the SPA's origin. */
export function spaUrl(frontendUrl: string, path: string): string {
  const base = new URL(frontendUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  base.search = '';
  base.hash = '';
  // Relative to the SPA's base ("./boards"), never a URL of its own ("javascript:…" stays a path segment).
  return new URL(`.${path}`, base).toString();
}

/** The SPA's address with `?error=<code>`, telling it why a sign-in failed. */
export function spaErrorUrl(frontendUrl: string, error: string): string {
  const url = new URL(frontendUrl);
  url.searchParams.set('error', error);
  return url.toString();
}
