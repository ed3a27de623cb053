import { RateLimiter, type RateLimit } from '@app/redis';
import { rateLimited } from '../auth.errors.js';

/** Counts one hit of `rule` for `subject`, or throws 429 with Retry-After once it is used up. */
export async function enforce(limiter: RateLimiter, name: string, subject: string, rule: RateLimit): Promise<void> {
  const state = await limiter.hit(name, subject, rule);
  if (state.exceeded) throw rateLimited(state.resetMs);
}
