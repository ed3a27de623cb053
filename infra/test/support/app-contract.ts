import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const REPOSITORY = path.resolve(__dirname, '..', '..', '..');

/**
 * What each process's configuration requires with NODE_ENV=production (libs/core/src/config/env.ts and the
 * *.config.ts files of apps/ and libs/: the variables without a default and those whose defaults are embedded ones).
 */
export const REQUIRED_IN_PRODUCTION = {
  api: [
    'NODE_ENV',
    'DATABASE_URL',
    'DATABASE_REPLICA_URLS',
    'REDIS_URL',
    'CORS_ORIGINS',
    'FRONTEND_URL',
    'JWT_SECRET',
    'MAIL_SEAL_KEY',
  ],
  // The worker has no database: it works from Redis alone.
  worker: ['NODE_ENV', 'REDIS_URL', 'SMTP_URL', 'MAIL_FROM', 'MAIL_SEAL_KEY'],
  // As the owner of the schema, the migration creates or updates the api's login role with this name and password.
  migrate: ['NODE_ENV', 'DATABASE_URL', 'DATABASE_APP_USER', 'DATABASE_APP_PASSWORD'],
} as const;

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
