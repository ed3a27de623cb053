/** Stops what the global setup started (it ran in this same process and left its handle on globalThis). */
export default async function globalTeardown(): Promise<void> {
  const stop = (globalThis as { stopModakTestStack?: () => Promise<void> }).stopModakTestStack;
  await stop?.();
}
