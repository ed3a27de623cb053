/** Polls `probe` until it returns true, or fails after `timeoutMs`. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs = 10_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The parsed body of a response. Typed loosely on purpose: tests walk answers freely and jest's matchers do the
 * checking; pass a type where a test wants the compiler's help.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = async <T = any>(response: Response): Promise<T> => (await response.json()) as T;
