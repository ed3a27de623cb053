/**
 * The real stack of one benchmark run: a PostgreSQL primary with a streaming replica in a temp folder (the embedded
 * binaries, started and migrated by the test harness's `startMigratedCluster`), Redis under a key prefix of the run's
 * own, and the servers under test as child processes.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';
import pg from 'pg';
import {
  deleteKeysUnder,
  freePort,
  redisAnswers,
  startMigratedCluster,
  withDatabase,
} from '../../dist/apps/api/src/bench.entry.js';

/** Node's built-in fetch (a global, named here for the linter). */
const { fetch } = globalThis;

const DATABASE = 'modak';

/**
 * Starts a primary and a replica on free ports, creates and migrates the database, and waits for the replica. The
 * cluster is durable (fsync on), as production is: write figures include the commit's flush. Both servers and the seed
 * connect as the database's owner (the seed's VACUUM needs it).
 */
export async function startDatabase() {
  const dir = await mkdtemp(path.join(tmpdir(), 'modak-bench-'));
  // PostgreSQL runs as its own user when we are root: it must be able to reach its folder inside this one.
  await chmod(dir, 0o755);
  let cluster;
  try {
    ({ cluster } = await startMigratedCluster(DATABASE, { dir: path.join(dir, 'postgres'), durable: true }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    cluster,
    dir,
    primaryUrl: withDatabase(cluster.primaryUrl, DATABASE),
    replicaUrl: withDatabase(cluster.replicaUrl, DATABASE),
    /** Stops PostgreSQL and deletes the run's folder, unless `keep` (to read the server logs). */
    async stop({ keep = false } = {}) {
      if (keep) return cluster.stop();
      await cluster.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the replica has replayed everything the primary holds now (a large seed takes a while). */
export async function waitForReplica(database, timeoutMs = 300_000) {
  await database.cluster.waitForReplay(timeoutMs);
}

/** How many statements the servers under test are running now, on both nodes. */
export async function activeStatements(database) {
  const sql =
    "SELECT count(*)::int AS running FROM pg_stat_activity WHERE state = 'active' " +
    "AND backend_type = 'client backend' AND application_name LIKE 'modak-%'";
  let total = 0;
  for (const node of ['primary', 'replica']) {
    const [{ running }] = await database.cluster.query(node, sql);
    total += running;
  }
  return total;
}

/** A pg client on `url` for the duration of `work`. */
export async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Fails with a hint when Redis does not answer. */
export async function checkRedis(url) {
  if (!(await redisAnswers(url))) {
    throw new Error(`Redis does not answer at ${url}: start one (redis-server --daemonize yes) or set REDIS_URL`);
  }
}

/** Deletes every key under `prefix:` (the run's own namespace). */
export const deleteRedisKeys = deleteKeysUnder;

async function waitForHttp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before answering ${url}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/**
 * Runs `node <nodeArgs> <script>` with `env`, and resolves once `readyPath` answers 200. Its output goes straight to
 * `logFile` (not through this process, which generates the load). `stop()` sends SIGTERM and waits for the exit (a
 * CPU profile, when asked for, is written then).
 */
export async function startServer({ name, script, nodeArgs = [], env, port, readyPath, logFile }) {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, script], { env, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}${readyPath}`, child, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${name}: ${error.message} (log: ${logFile})`, { cause: error });
  }
  return {
    name,
    pid: child.pid,
    url,
    readyUrl: `${url}${readyPath}`,
    logFile,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

export { freePort };
