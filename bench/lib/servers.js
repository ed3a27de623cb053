/**
 * The two servers under test, each a child process on the same database and Redis: the API as production runs it
 * (`node dist/apps/api/src/main.js`, NODE_ENV=production) and the bare baseline (bench/baseline/server.js).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { productionNodeOptions } from './dockerfile.js';
import { ProcessWatch } from './process-stats.js';
import { activeStatements, freePort, startServer } from './stack.js';

/** Node's built-in fetch (a global, named here for the linter). */
const { fetch } = globalThis;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const API_MAIN = path.join(ROOT, 'dist/apps/api/src/main.js');
const BASELINE_MAIN = path.join(ROOT, 'bench/baseline/server.js');

/**
 * What both servers are given. Production refuses embedded defaults, so everything is explicit. TRUST_PROXY makes
 * the servers take the client address from X-Forwarded-For, which the login scenario varies per request (a flood
 * from many clients, not one). The refresh limit (30 per session per minute) is raised: each connection chains one
 * session far faster than any client would, and the limit's Redis round trip still runs.
 */
function sharedEnv({ database, redisUrl, keyPrefix, jwtSecret }) {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATABASE_URL: database.primaryUrl,
    DATABASE_REPLICA_URLS: database.replicaUrl,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    JWT_SECRET: jwtSecret,
    MAIL_SEAL_KEY: randomBytes(32).toString('base64url'),
    JWT_ISSUER: 'modak',
    JWT_AUDIENCE: 'modak-spa',
    CORS_ORIGINS: 'https://modak.example',
    FRONTEND_URL: 'https://modak.example',
    TRUST_PROXY: 'true',
    RATE_LIMIT_REFRESH_SESSION: '999999/1m',
    LOG_LEVEL: 'info',
  };
}

const profiling = (profileDir, name) =>
  profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : [];

/** NODE_OPTIONS as given: left out when there is none. */
const nodeOptions = (value) => (value === undefined ? {} : { NODE_OPTIONS: value });

/**
 * Starts the API and the baseline; logs go to `dir`. Both run with the production image's NODE_OPTIONS (the ENV of
 * docker/Dockerfile's final stage: its heap limit is part of what production runs), and under --cpu-prof when
 * `profileDir` is set. For experiments, the API can be another build (`apiMain`) and get more variables (`apiEnv`:
 * heap sizes, log level; NODE_OPTIONS there replaces the image's, for the API only). Resolves to both servers, the
 * API's with the `nodeOptions` it runs with.
 */
export async function startServers({ database, redisUrl, runId, dir, profileDir, apiEnv = {}, apiMain = API_MAIN }) {
  const jwtSecret = randomBytes(48).toString('base64url');
  const imageNodeOptions = productionNodeOptions();
  const apiPort = await freePort();
  const api = await startServer({
    name: 'api',
    script: path.resolve(apiMain),
    nodeArgs: profiling(profileDir, 'api'),
    env: {
      ...sharedEnv({ database, redisUrl, keyPrefix: `${runId}:api`, jwtSecret }),
      ...nodeOptions(imageNodeOptions),
      PORT: String(apiPort),
      ...apiEnv,
    },
    port: apiPort,
    readyPath: '/health/ready',
    logFile: path.join(dir, 'api.log'),
  });
  try {
    const baselinePort = await freePort();
    const baseline = await startServer({
      name: 'baseline',
      script: BASELINE_MAIN,
      nodeArgs: profiling(profileDir, 'baseline'),
      env: {
        ...sharedEnv({ database, redisUrl, keyPrefix: `${runId}:baseline`, jwtSecret }),
        ...nodeOptions(imageNodeOptions),
        PORT: String(baselinePort),
        // The API's count cache window when --api-env changes it (else both read the default): the same counts.
        ...(apiEnv.DATABASE_COUNT_CACHE_MS === undefined
          ? {}
          : { DATABASE_COUNT_CACHE_MS: apiEnv.DATABASE_COUNT_CACHE_MS }),
      },
      port: baselinePort,
      readyPath: '/health',
      logFile: path.join(dir, 'baseline.log'),
    });
    const apiNodeOptions = 'NODE_OPTIONS' in apiEnv ? apiEnv.NODE_OPTIONS : imageNodeOptions;
    return {
      api: { ...api, nodeOptions: apiNodeOptions ?? null },
      baseline: { ...baseline, nodeOptions: imageNodeOptions ?? null },
    };
  } catch (error) {
    await api.stop();
    throw error;
  }
}

/** Whether `server` answers its readiness check with everything in rotation (the API: primary, replica, Redis). */
async function isReady(server) {
  const response = await fetch(server.readyUrl).catch(() => undefined);
  return response?.ok === true && (await response.json()).status === 'ok';
}

/**
 * Waits until `server` has finished what the previous run left in flight (autocannon stops without waiting for its
 * answers, and a slow scenario leaves a backlog) and is fully ready again (after an overload the API takes a moment to
 * put a node back in rotation): its CPU near zero, no statement of either server running, and ready, twice in a row.
 * False when that does not happen within a minute.
 */
export async function settle(server, database, pauseMs) {
  await sleep(pauseMs);
  const deadline = Date.now() + 60_000;
  for (let quiet = 0; quiet < 2;) {
    if (Date.now() > deadline) return false;
    const watch = new ProcessWatch(server.pid);
    watch.start();
    await sleep(300);
    const idle = watch.stop().cpuPercent < 10 && (await activeStatements(database)) === 0 && (await isReady(server));
    quiet = idle ? quiet + 1 : 0;
  }
  return true;
}

/** Signs `emails` in on `url`, four at a time, each from its own address; resolves to their token responses. */
export async function signIn(url, emails, password) {
  const sessions = [];
  for (let i = 0; i < emails.length; i += 4) {
    const batch = emails.slice(i, i + 4).map(async (email, j) => {
      const response = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.255.${(i + j) >> 8}.${(i + j) & 255}` },
        body: JSON.stringify({ email, password }),
      });
      if (response.status !== 200) throw new Error(`sign-in of ${email} on ${url} answered ${response.status}`);
      const { accessToken, refreshToken } = await response.json();
      return { email, accessToken, refreshToken };
    });
    sessions.push(...(await Promise.all(batch)));
  }
  return sessions;
}

/**
 * The keyset cursor `depth` rows into the board list, found the way a client finds it (following `nextCursor`), so
 * that it is exactly the position where numbered page `depth / perPage + 1` starts.
 */
export async function cursorAtDepth(url, depth) {
  let cursor;
  for (let seen = 0; seen < depth;) {
    const limit = Math.min(100, depth - seen);
    const query = cursor === undefined ? `limit=${limit}` : `limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(`${url}/api/v1/boards?${query}`);
    if (response.status !== 200) throw new Error(`walking the keyset pages answered ${response.status}`);
    const { items, meta } = await response.json();
    seen += items.length;
    cursor = meta.nextCursor;
    if (cursor === null) throw new Error(`the board list ends before ${depth} rows`);
  }
  return cursor;
}

/** The first board id of a page on `url` (`query` selects it). */
export async function firstBoardId(url, query) {
  const response = await fetch(`${url}/api/v1/boards?${query}`);
  const { items } = await response.json();
  return items[0]?.id;
}

/** prom-client samples the event loop every 10 ms and records the whole interval; the delay is what exceeds it. */
const EVENT_LOOP_SAMPLING_MS = 10;

/**
 * From the API's Prometheus metrics: event-loop delay over the window since the previous scrape (prom-client resets
 * its histogram on every scrape), in ms beyond the sampling interval; the V8 heap and external memory now, in MB;
 * reads served so far by the replica, by the primary, and retried on the primary after a replica failed (cumulative).
 */
export async function apiMetrics(apiUrl) {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const value = (name, unit = 1, labels = '[^}]*') => {
    const found = new RegExp(`^${name}(?:\\{${labels}\\})? ([0-9.e+-]+)$`, 'gm');
    let sum = 0;
    for (const [, number] of text.matchAll(found)) sum += Number(number);
    return Math.round((sum / unit) * 10) / 10;
  };
  const reads = (servedBy) => value('db_reads_total', 1, `served_by="${servedBy}"`);
  const delay = (name) => Math.max(0, Math.round((value(name, 1e-3) - EVENT_LOOP_SAMPLING_MS) * 10) / 10);
  return {
    reads: { replica: reads('replica'), primary: reads('primary'), fallback: reads('fallback') },
    eventLoopDelayMs: {
      p50: delay('nodejs_eventloop_lag_p50_seconds'),
      p99: delay('nodejs_eventloop_lag_p99_seconds'),
      max: delay('nodejs_eventloop_lag_max_seconds'),
    },
    memoryMb: {
      heapUsed: value('nodejs_heap_size_used_bytes', 2 ** 20),
      heapTotal: value('nodejs_heap_size_total_bytes', 2 ** 20),
      external: value('nodejs_external_memory_bytes', 2 ** 20),
    },
  };
}
