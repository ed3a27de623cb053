import { OverloadedError } from '@app/core';

export interface AdmissionOptions {
  /** Works that may hold a client of the node's pool at once: the pool's size. */
  capacity: number;
  /** Of those, how many one route may hold at once; the rest stay free for every other route. */
  perRoute: number;
  /** How long a work may wait for its turn before it is shed. */
  waitMs: number;
}

interface Waiter {
  route: string | undefined;
  admit: () => void;
  timer: NodeJS.Timeout;
}

/** One route may hold at most this share of a pool: a route whose statements hang cannot take the whole pool. */
export const ROUTE_SHARE = 0.8;

export const perRouteLimit = (poolSize: number): number => Math.max(1, Math.floor(poolSize * ROUTE_SHARE));

/**
 * AdmissionLimiter to one node's pool: at most `capacity` works hold a client at once, so the pool itself never queues, and
 * waiting for a client is told apart from a node that does not answer. A work that cannot start within `waitMs` is
 * shed with OverloadedError (503 with Retry-After): a busy node is never taken for a dead one, and a spike costs fast
 * refusals instead of a queue that grows until every request times out.
 *
 * Each route (the request context's `route`; background work has none) holds at most `perRoute` clients, so a route
 * whose statements hang (a locked table, a slow plan) fills its own share and is shed there while every other route
 * keeps the remaining clients. Waiters are served first come, first served, skipping those whose route is at its share.
 */
export class AdmissionLimiter {
  private running = 0;
  private readonly byRoute = new Map<string, number>();
  private readonly queue: Waiter[] = [];
  /** Works refused since start (for metrics). */
  shed = 0;

  constructor(
    readonly name: string,
    private readonly options: AdmissionOptions,
  ) {}

  /** Works waiting for their turn now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Works holding a client now. */
  get inUse(): number {
    return this.running;
  }

  /** Runs `work` once admitted; throws OverloadedError when its turn does not come within the wait bound. */
  async run<T>(route: string | undefined, work: () => Promise<T>): Promise<T> {
    // Everyone queued is held back by a full pool or by their own route's share, so a newcomer who fits goes first
    // without overtaking anyone who could have gone.
    if (this.fits(route)) this.enter(route);
    else await this.wait(route);
    try {
      return await work();
    } finally {
      this.leave(route);
    }
  }

  private fits(route: string | undefined): boolean {
    if (this.running >= this.options.capacity) return false;
    return route === undefined || (this.byRoute.get(route) ?? 0) < this.options.perRoute;
  }

  private enter(route: string | undefined): void {
    this.running += 1;
    if (route !== undefined) this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
  }

  private leave(route: string | undefined): void {
    this.running -= 1;
    if (route !== undefined) {
      const held = (this.byRoute.get(route) ?? 1) - 1;
      if (held === 0) this.byRoute.delete(route);
      else this.byRoute.set(route, held);
    }
    this.admitWaiters();
  }

  private wait(route: string | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        route,
        admit: resolve,
        timer: setTimeout(() => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          this.shed += 1;
          reject(new OverloadedError(`database:${this.name}`));
        }, this.options.waitMs),
      };
      this.queue.push(waiter);
    });
  }

  private admitWaiters(): void {
    for (let i = 0; i < this.queue.length && this.running < this.options.capacity;) {
      const waiter = this.queue[i];
      if (!this.fits(waiter.route)) {
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      clearTimeout(waiter.timer);
      this.enter(waiter.route);
      waiter.admit();
    }
  }
}
