/**
 * Jest's moduleNameMapper does not apply to globalSetup/globalTeardown, which load through plain `require`. This
 * teaches that `require` the two mappings the test files get from jest.config.js: `@app/<lib>` to the lib's sources,
 * and a relative `./x.js` (ESM style) to `./x.ts`.
 */
import Module from 'node:module';
import path from 'node:path';

type Resolve = (request: string, parent: unknown, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: Resolve };
const resolve = internals._resolveFilename;
const root = path.resolve(__dirname, '../..');

/** Installs the mapping; call it before requiring any source that imports `@app/*` or `./x.js`. */
export function resolveSources(): void {
  internals._resolveFilename = function resolveSource(this: unknown, request, parent, ...rest) {
    const lib = /^@app\/([a-z-]+)$/.exec(request);
    if (lib) return resolve.call(this, path.join(root, 'libs', lib[1], 'src', 'index.ts'), parent, ...rest);
    if (request.startsWith('.') && request.endsWith('.js')) {
      try {
        return resolve.call(this, request, parent, ...rest);
      } catch {
        return resolve.call(this, `${request.slice(0, -3)}.ts`, parent, ...rest);
      }
    }
    return resolve.call(this, request, parent, ...rest);
  };
}
