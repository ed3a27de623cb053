import { ConcurrencyLimiter, QueueFullError } from './concurrency.limiter.js';

describe(ConcurrencyLimiter.name, () => {
  it('never runs more than its capacity, and runs everything in order', async () => {
    const limit = new ConcurrencyLimiter(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const tasks = Array.from({ length: 7 }, (_, i) =>
      limit.run(async () => {
        started.push(i);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return i;
      }),
    );
    expect(limit.active).toBe(2);
    expect(limit.queued).toBe(5);
    await expect(Promise.all(tasks)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(limit.active).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const limit = new ConcurrencyLimiter(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(limit.active).toBe(0);
  });

  it('refuses a task when the queue is full, without disturbing the others', async () => {
    const limit = new ConcurrencyLimiter(1, 1);
    const slow = () => new Promise<string>((resolve) => setTimeout(() => resolve('done'), 5));
    const first = limit.run(slow);
    const second = limit.run(slow);
    await expect(limit.run(slow)).rejects.toBeInstanceOf(QueueFullError);
    await expect(Promise.all([first, second])).resolves.toEqual(['done', 'done']);
  });
});
