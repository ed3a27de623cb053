import { DEFAULT_JOB_OPTIONS, retryDelay } from './queue.connection.js';

describe(retryDelay.name, () => {
  it('doubles from 2 s and never waits more than 10 minutes', () => {
    expect([1, 2, 3, 4].map(retryDelay)).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(retryDelay(20)).toBe(600_000);
  });

  it('retries for hours before a job is set aside', () => {
    const attempts = DEFAULT_JOB_OPTIONS.attempts!;
    const total = Array.from({ length: attempts - 1 }, (_, i) => retryDelay(i + 1)).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(5 * 3600 * 1000);
    expect(DEFAULT_JOB_OPTIONS.removeOnFail).toBe(false);
  });
});
