import type { ApiProcess } from '../support/api-process.js';

/**
 * Prints what a fault scenario measured, one line: `[faults] redis crash: 3180 requests (GET /boards 200 x710, ...)`,
 * so that a run shows how much load each fault met, not only that it passed.
 */
export function report(scenario: string, counts: Record<string, number>, extra = ''): void {
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  const parts = Object.entries(counts).map(([what, count]) => `${what} x${count}`);
  console.log(`[faults] ${scenario}: ${total} requests${extra ? `, ${extra}` : ''} (${parts.join(', ')})`);
}

/** Prints the errors api processes logged during a scenario, if any: the cause behind an unexpected 500. */
export function reportLoggedErrors(apis: ApiProcess[]): void {
  for (const [instance, api] of apis.entries()) {
    const errors = api.loggedErrors();
    if (errors.length > 0) console.log(`[faults] api ${instance} logged errors:\n  ${errors.join('\n  ')}`);
  }
}
