import { AsyncLocalStorage } from 'node:async_hooks';

/** What the current request carries through every layer without being passed by hand. */
export interface RequestContext {
  requestId: string;
  /** The route template (`GET /api/v1/boards/:id`) when the router matched one: a route's share of a pool is kept. */
  route?: string;
  /**
   * Who is asking, for read-your-writes: set once the client is known (a signed-in user's id). Reads for a known
   * client go to the primary until the replica has replayed that client's last write.
   */
  consistencyKey?: string;
  /** The client's last write position, memoised for the rest of this request once looked up. */
  lastWriteLsn?: string | null;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const requestContext = {
  run<T>(context: RequestContext, fn: () => T): T {
    return storage.run(context, fn);
  },
  current(): RequestContext | undefined {
    return storage.getStore();
  },
  /**
   * Runs `fn` outside any request: background work a request only triggers (the outbox dispatch) must not count as
   * the request's, neither for its client's read-your-writes nor for its route's share of a pool.
   */
  outside<T>(fn: () => T): T {
    return storage.exit(fn);
  },
  /** Names the client of the current request (after authentication). */
  identify(consistencyKey: string): void {
    const context = storage.getStore();
    if (context && context.consistencyKey !== consistencyKey) {
      context.consistencyKey = consistencyKey;
      context.lastWriteLsn = undefined;
    }
  },
};
