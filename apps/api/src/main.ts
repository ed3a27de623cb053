import { runMain } from '@app/core';
import { serveApi } from './api.bootstrap.js';

await runMain(() => serveApi(process.env));
