/**
 * `npm start`: runs Modak on a laptop with nothing configured. It starts an embedded PostgreSQL primary and a
 * streaming replica under .data/ (reused on the next start), checks Redis (and starts its own under .data/redis when
 * none answers and redis-server is installed), applies migrations as the database's owner
 * (which also creates the app's role), then runs the api, logged in as that role as in production, and the worker as
 * child processes until Ctrl-C, when it stops everything it started. Any variable that is set wins
 * over its embedded default, so the same command also serves a configured environment.
 */
import { EMBEDDED_APP_ROLE, EMBEDDED_CREDENTIALS, EMBEDDED_PORTS, embeddedUrl } from '@app/database';
import { PostgresCluster, RedisServer } from '@app/embedded';
import { redisAnswers } from '@app/redis';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const DATA_DIR = path.resolve('.data');
const DIST = path.resolve('dist');
const say = (line: string) => console.log(`[modak] ${line}`);

async function devSecret(): Promise<string> {
  const file = path.join(DATA_DIR, 'jwt-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(48).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

function runToEnd(script: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(DIST, script), ...args], { env, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${script} exited with ${code}`))));
  });
}

async function waitUntilReady(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/**
 * Starts a Redis under .data/redis, persisted (AOF), on the port of `url`, when it names this machine and
 * `redis-server` is installed; otherwise says exactly how to get one.
 */
async function startRedis(url: string, production: boolean): Promise<RedisServer> {
  const { hostname, port } = new URL(url);
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
  if (!production && local && RedisServer.installed()) {
    const dataDir = path.join(DATA_DIR, 'redis');
    await mkdir(dataDir, { recursive: true });
    say(`starting redis-server on :${port || 6379} (data in .data/redis)`);
    return RedisServer.start({ port: Number(port || 6379), dataDir });
  }
  throw new Error(
    [
      `Redis does not answer at ${url}${local && !production ? ', and redis-server is not installed' : ''}. Either:`,
      '  Debian or Ubuntu: sudo apt-get install -y redis-server   (npm start then runs its own)',
      '  macOS:            brew install redis                     (npm start then runs its own)',
      '  Docker:           docker run -d --name modak-redis -p 6379:6379 redis:7',
      '  or set REDIS_URL to a Redis that runs elsewhere.',
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  /** Who runs the migrations: the embedded database's owner, or DATABASE_URL's user when a database is configured. */
  let ownerUrl: string | undefined;
  const production = env.NODE_ENV === 'production';
  await mkdir(DATA_DIR, { recursive: true });

  let cluster: PostgresCluster | undefined;
  if (!env.DATABASE_URL) {
    if (production) throw new Error('DATABASE_URL must be set when NODE_ENV=production (no embedded database)');
    say(
      `starting embedded PostgreSQL: primary :${EMBEDDED_PORTS.primary}, replica :${EMBEDDED_PORTS.replica} (data in .data/postgres)`,
    );
    cluster = await PostgresCluster.start({
      dir: path.join(DATA_DIR, 'postgres'),
      primaryPort: EMBEDDED_PORTS.primary,
      replicaPort: EMBEDDED_PORTS.replica,
      user: EMBEDDED_CREDENTIALS.user,
      database: EMBEDDED_CREDENTIALS.database,
    });
    ownerUrl = cluster.primaryUrl;
    env.DATABASE_URL = embeddedUrl(EMBEDDED_PORTS.primary, EMBEDDED_APP_ROLE);
    env.DATABASE_REPLICA_URLS ??= embeddedUrl(EMBEDDED_PORTS.replica, EMBEDDED_APP_ROLE);
  }
  let redis: RedisServer | undefined;
  const children: ChildProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      say('stopping');
      await Promise.all(
        children
          .filter((child) => child.exitCode === null)
          .map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM')))),
      );
      if (cluster) await cluster.stop();
      await redis?.stop('SIGTERM');
      say('stopped');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- an empty REDIS_URL also means unset
    env.REDIS_URL ||= 'redis://127.0.0.1:6379';
    if (!(await redisAnswers(env.REDIS_URL))) redis = await startRedis(env.REDIS_URL, production);
    if (!env.JWT_SECRET && !production) env.JWT_SECRET = await devSecret();
    say('applying migrations');
    await runToEnd('libs/database/src/migrations.main.js', { ...env, DATABASE_URL: ownerUrl ?? env.DATABASE_URL }, [
      'run',
    ]);
  } catch (error) {
    console.error(`[modak] ${(error as Error).message}`);
    return stopAll(1);
  }

  for (const app of ['api', 'worker']) {
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(DIST, `apps/${app}/src/main.js`)], {
      env,
      stdio: 'inherit',
    });
    child.on('exit', (code) => {
      if (!stopping) {
        console.error(`[modak] the ${app} exited (${code}); stopping`);
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing -- exiting on its own, even with 0, is a failure
        void stopAll(code || 1);
      }
    });
    children.push(child);
  }
  const base = `http://localhost:${env.PORT ?? 3000}`;
  if (await waitUntilReady(`${base}/health/ready`, 60_000)) {
    say(`API     ${base}/api/v1`);
    say(`docs    ${base}/docs`);
    say(`health  ${base}/health/ready`);
    say('Ctrl-C stops everything');
  } else if (!stopping) {
    say(`the api is not ready after 60 s; see its log above (${base}/health/ready)`);
  }
}

main().catch((error: unknown) => {
  console.error(`[modak] ${(error as Error).message}`);
  process.exit(1);
});
