import { runMain } from '@app/core';
import { serveApi } from './serve.js';

await runMain(() => serveApi(process.env));
