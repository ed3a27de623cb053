import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPOSITORY = path.resolve(__dirname, '..', '..', '..');

/**
 * What each process's configuration requires with NODE_ENV=production: the variables without a default and those whose
 * defaults are embedded ones. Generated from the app's config pieces into docs/configuration.json (npm run
 * config:docs; CI checks it is current), so this list cannot drift from the code.
 */
export const REQUIRED_IN_PRODUCTION = (
  JSON.parse(readFileSync(path.join(REPOSITORY, 'docs', 'configuration.json'), 'utf8')) as {
    requiredInProduction: Record<'api' | 'worker' | 'migrate', string[]>;
  }
).requiredInProduction;

/** The URLs docker/entrypoint.mjs composes from `env` (run by node, as the image runs it). */
export function composedUrls(env: Record<string, string>): Record<string, string> {
  const entrypoint = pathToFileURL(path.join(REPOSITORY, 'docker', 'entrypoint.mjs')).href;
  const script = `const { connectionUrls } = await import(${JSON.stringify(entrypoint)});
process.stdout.write(JSON.stringify(connectionUrls(JSON.parse(process.argv[1]))));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(env)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`entrypoint.mjs failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, string>;
}
