import { OverloadedError } from '@app/core';
import { AdmissionLimiter, perRouteLimit } from './admission.limiter.js';

/** A work that holds its place until released. */
function held() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { work: () => done, release };
}

describe(AdmissionLimiter.name, () => {
  it('runs works up to its capacity and queues the rest in order', async () => {
    const admission = new AdmissionLimiter('test', { capacity: 2, perRoute: 2, waitMs: 1_000 });
    const order: string[] = [];
    const first = held();
    const second = held();
    const running = [
      admission.run(undefined, first.work),
      admission.run(undefined, second.work),
      admission.run(undefined, () => Promise.resolve(void order.push('third'))),
      admission.run(undefined, () => Promise.resolve(void order.push('fourth'))),
    ];
    await Promise.resolve();
    expect(admission.inUse).toBe(2);
    expect(admission.waiting).toBe(2);
    first.release();
    second.release();
    await Promise.all(running);
    expect(order).toEqual(['third', 'fourth']);
    expect(admission.inUse).toBe(0);
  });

  it('sheds a work whose turn does not come within the wait bound, and forgets it', async () => {
    const admission = new AdmissionLimiter('test', { capacity: 1, perRoute: 1, waitMs: 50 });
    const blocker = held();
    const running = admission.run('GET /a', blocker.work);
    const started = Date.now();
    await expect(admission.run('GET /b', () => Promise.resolve('late'))).rejects.toBeInstanceOf(OverloadedError);
    expect(Date.now() - started).toBeLessThan(500);
    expect(admission.shed).toBe(1);
    expect(admission.waiting).toBe(0);
    blocker.release();
    await running;
    await expect(admission.run('GET /b', () => Promise.resolve('now'))).resolves.toBe('now');
  });

  it("keeps a share of the pool for other routes while one route's works hang", async () => {
    const admission = new AdmissionLimiter('test', { capacity: 5, perRoute: 4, waitMs: 100 });
    const hanging = held();
    const slow = Array.from({ length: 6 }, () => admission.run('GET /slow', hanging.work));
    await Promise.resolve();
    expect(admission.inUse).toBe(4);
    // Another route still gets in at once, though two works of the hanging route wait ahead of it.
    await expect(admission.run('GET /fast', () => Promise.resolve('served'))).resolves.toBe('served');
    const outcome = await Promise.allSettled(slow.slice(4));
    expect(outcome.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    hanging.release();
    await Promise.all(slow.slice(0, 4));
  });

  it('lets a waiter of another route through when a slot frees, skipping those at their share', async () => {
    const admission = new AdmissionLimiter('test', { capacity: 2, perRoute: 1, waitMs: 1_000 });
    const a = held();
    const b = held();
    const served: string[] = [];
    const running = [admission.run('A', a.work), admission.run('B', b.work)];
    const queued = [
      admission.run('A', () => Promise.resolve(void served.push('A again'))),
      admission.run('C', () => Promise.resolve(void served.push('C'))),
    ];
    b.release();
    await queued[1];
    expect(served).toEqual(['C']);
    a.release();
    await Promise.all([...running, ...queued]);
    expect(served).toEqual(['C', 'A again']);
  });

  it('keeps one fifth of a pool for other routes, and never less than one client per route', () => {
    expect(perRouteLimit(10)).toBe(8);
    expect(perRouteLimit(5)).toBe(4);
    expect(perRouteLimit(1)).toBe(1);
  });
});
