#!/usr/bin/env node
/**
 * The image's entrypoint: `api`, `worker`, or `migrate <run|revert|check>`.
 *
 * DATABASE_URL, DATABASE_REPLICA_URLS and REDIS_URL are used as they are when set (compose, a laptop). On ECS they are
 * not: the credentials arrive as separate secrets, since Secrets Manager cannot compose a URL, so they are composed
 * here from their parts, each escaped for the URL:
 *
 *   DB_HOST, DB_PORT (5432), DB_NAME, DB_USER, DB_PASSWORD, DB_SSLMODE (verify-full) -> DATABASE_URL
 *   DB_REPLICA_HOSTS (comma-separated), with the same port, name and credentials  -> DATABASE_REPLICA_URLS
 *   REDIS_HOST, REDIS_PORT (6379), REDIS_AUTH_TOKEN                               -> REDIS_URL (rediss://, TLS)
 *
 * The chosen program then runs in this same process, so that signals (SIGTERM on a deploy) reach it directly.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROGRAMS = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  migrate: 'dist/libs/database/src/migrations.main.js',
};

/** The connection URLs to add to `env`: only those that are unset and whose parts are present. */
export function connectionUrls(env) {
  const urls = {};
  if (!env.DATABASE_URL && env.DB_HOST) urls.DATABASE_URL = postgresUrl(env, env.DB_HOST);
  if (!env.DATABASE_REPLICA_URLS && env.DB_REPLICA_HOSTS) {
    urls.DATABASE_REPLICA_URLS = env.DB_REPLICA_HOSTS.split(',')
      .map((host) => host.trim())
      .filter((host) => host.length > 0)
      .map((host) => postgresUrl(env, host))
      .join(',');
  }
  if (!env.REDIS_URL && env.REDIS_HOST) {
    const token = env.REDIS_AUTH_TOKEN ? `:${encodeURIComponent(env.REDIS_AUTH_TOKEN)}@` : '';
    urls.REDIS_URL = `rediss://${token}${env.REDIS_HOST}:${env.REDIS_PORT || '6379'}`;
  }
  return urls;
}

function postgresUrl(env, host) {
  const user = encodeURIComponent(required(env, 'DB_USER'));
  const password = encodeURIComponent(required(env, 'DB_PASSWORD'));
  const database = encodeURIComponent(required(env, 'DB_NAME'));
  const sslmode = encodeURIComponent(env.DB_SSLMODE || 'verify-full');
  return `postgres://${user}:${password}@${host}:${env.DB_PORT || '5432'}/${database}?sslmode=${sslmode}`;
}

function required(env, name) {
  if (!env[name]) throw new Error(`Invalid configuration: ${name} is required when DB_HOST is set`);
  return env[name];
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  const program = PROGRAMS[command];
  if (!program) {
    console.error(`usage: ${Object.keys(PROGRAMS).join(' | ')} [arguments]  (got ${JSON.stringify(command ?? '')})`);
    process.exit(2);
  }
  try {
    Object.assign(process.env, connectionUrls(process.env));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  const file = path.join(path.dirname(fileURLToPath(import.meta.url)), program);
  // The program sees the arguments it would see when run as `node <program> ...args`.
  process.argv = [process.argv[0], file, ...args];
  await import(pathToFileURL(file).href);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
