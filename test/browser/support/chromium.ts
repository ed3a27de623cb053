import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core';

import { CHROMIUM } from '../../setup/chromium-path.js';

/**
 * Host names the browser resolves to 127.0.0.1, as DNS would in production: the SPA and the api on two origins of one
 * site (`spa.modak.test`, `api.modak.test`, like spa.example.com and api.example.com), and a host of another site.
 */
export const SPA_HOST = 'spa.modak.test';
export const API_HOST = 'api.modak.test';
export const FOREIGN_HOST = 'elsewhere.example';

export const ARTIFACTS_DIR = path.join(__dirname, '..', 'artifacts');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--host-resolver-rules=MAP ${SPA_HOST} 127.0.0.1, MAP ${API_HOST} 127.0.0.1, MAP ${FOREIGN_HOST} 127.0.0.1`,
    ],
  });
}

/** `http://<host>:<port of url>`: the same server as the browser reaches it by name. */
export const onHost = (url: string, host: string): string => {
  const parsed = new URL(url);
  parsed.hostname = host;
  return parsed.origin;
};

/** Saves a screenshot of the page's viewport, or of one element, as test/browser/artifacts/<name>.png. */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await target.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`) });
}

/** What the page says on its console and what fails on it, collected from the moment this is called. */
export function watchPage(page: Page): { errors: string[]; failedRequests: string[] } {
  const watched = { errors: [] as string[], failedRequests: [] as string[] };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') watched.errors.push(message.text());
  });
  page.on('pageerror', (error) => watched.errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) =>
    watched.failedRequests.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) watched.failedRequests.push(`${response.url()}: ${response.status()}`);
  });
  return watched;
}
