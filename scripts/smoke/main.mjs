#!/usr/bin/env node
/**
 * `npm run smoke -- <base url>`: runs the canary scenario (scenario.mjs) once against a deployment, with the canary
 * account's credentials from SMOKE_EMAIL and SMOKE_PASSWORD. Exit 0 when every step passed, 1 otherwise.
 */
import console from 'node:console';
import process from 'node:process';
import { runScenario } from './scenario.mjs';

const [baseUrl] = process.argv.slice(2);
if (!baseUrl || !/^https?:\/\//.test(baseUrl)) {
  console.error('usage: npm run smoke -- <base url, e.g. https://api.modak.example>  (SMOKE_EMAIL, SMOKE_PASSWORD)');
  process.exit(2);
}
const started = Date.now();
try {
  await runScenario({
    baseUrl,
    email: process.env.SMOKE_EMAIL,
    password: process.env.SMOKE_PASSWORD,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`smoke scenario passed against ${baseUrl} in ${Date.now() - started} ms`);
} catch (error) {
  console.error(`smoke scenario failed against ${baseUrl}: ${error.message}`);
  process.exit(1);
}
