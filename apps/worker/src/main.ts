import { runMain } from '@app/core';
import { loadWorkerConfig } from './worker.config.js';
import { createWorker } from './worker.factory.js';

await runMain(async () => {
  const worker = await createWorker(loadWorkerConfig(process.env));
  // The job in hand finishes, unstarted jobs stay queued, connections close; then a clean exit 0.
  const stop = () => {
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
});
