/**
 * Starts the real stack once per `jest` run: a PostgreSQL primary and its streaming replica on free ports in a temp
 * folder (with a migrated template database), and a key prefix of its own on the machine's Redis.
 *
 * Jest loads this file with plain `require`, without the moduleNameMapper the tests get, so the sources are required
 * only after `resolveSources()` has taught `require` the same mappings.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
export default async function globalSetup(): Promise<void> {
  (require('./resolve-sources') as typeof import('./resolve-sources.js')).resolveSources();
  const { startTestStack } = require('./test-stack.setup') as typeof import('./test-stack.setup.js');
  await startTestStack();
}
