import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '../../..');
const SPA_DIR = path.join(__dirname, '..', 'spa');

/** Where the page's import map finds each module (see spa/index.html). */
const OPENAPI_FETCH_PATH = '/node_modules/openapi-fetch/dist/index.mjs';
const API_CLIENT_PATH = '/modules/api-client.js';
const SPA_PATH = '/modules/spa.js';

/** A TypeScript source as the ES module a browser loads (types stripped, nothing bundled, imports left as written). */
async function compile(file: string): Promise<string> {
  const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  });
  return outputText;
}

export interface SpaServer {
  /** `http://127.0.0.1:<port>`; the browser reaches it under any host name (see chromium.ts). */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the test SPA on 127.0.0.1: its page (pointed at `apiOrigin`), its script and the typed api client compiled
 * from their sources now, and openapi-fetch straight from node_modules, all as ES modules tied by an import map.
 */
export async function startSpaServer(options: { port: number; apiOrigin: string }): Promise<SpaServer> {
  const html = (await readFile(path.join(SPA_DIR, 'index.html'), 'utf8')).replace('%API_ORIGIN%', options.apiOrigin);
  const files = new Map<string, { type: string; body: string }>([
    ['/', { type: 'text/html; charset=utf-8', body: html }],
    [SPA_PATH, { type: 'text/javascript', body: await compile(path.join(SPA_DIR, 'spa.ts')) }],
    [
      API_CLIENT_PATH,
      { type: 'text/javascript', body: await compile(path.join(root, 'libs/api-client/src/index.ts')) },
    ],
    [
      OPENAPI_FETCH_PATH,
      { type: 'text/javascript', body: await readFile(path.join(root, OPENAPI_FETCH_PATH), 'utf8') },
    ],
  ]);
  const server: Server = createServer((request, response) => {
    const file = files.get(new URL(request.url ?? '/', 'http://spa').pathname);
    response.writeHead(file ? 200 : 404, {
      'content-type': file?.type ?? 'text/plain',
      'cache-control': 'no-store',
    });
    response.end(file?.body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${options.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
