/**
 * Prints the OpenAPI document the api serves at /docs/openapi.json, from the build (the swagger CLI plugin applies
 * at build time). `npm run openapi` writes it to docs/openapi.json; CI fails when the committed copy drifts.
 */
import { runMain } from '@app/core';
import { randomBytes } from 'node:crypto';
import { loadApiConfig } from './api.config.js';
import { buildApiApp } from './app.factory.js';
import { buildOpenApiDocument } from './http/openapi.document.js';

await runMain(async () => {
  const config = loadApiConfig({
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    DATABASE_URL: 'postgres://modak@127.0.0.1:1/openapi',
    JWT_SECRET: randomBytes(48).toString('base64url'),
  });
  const app = await buildApiApp(config);
  process.stdout.write(`${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`);
  await app.close();
});
