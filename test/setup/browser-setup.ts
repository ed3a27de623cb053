/**
 * The browser project's global setup: says plainly what is missing when no Chromium can be run (before any test,
 * rather than deep inside playwright), then starts the shared stack as the other projects do.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export default async function browserSetup(): Promise<void> {
  (require('./resolve-sources') as typeof import('./resolve-sources.js')).resolveSources();
  (require('./chromium-path') as typeof import('./chromium-path.js')).assertChromium();
  const { startTestStack } = require('./test-stack.setup') as typeof import('./test-stack.setup.js');
  await startTestStack();
}
