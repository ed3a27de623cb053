/**
 * `npm run bench`: builds, then starts the real stack (a PostgreSQL primary and streaming replica in a temp folder,
 * Redis under a key prefix of its own), seeds it, and drives the API (production mode) and the bare baseline with the
 * same requests, taking turns round after round (A B A B ...). Prints a table of medians with their spread and the
 * ratios of the medians, the targets with PASS/MISS, and writes every round to bench/results/<timestamp>.json. See
 * bench/README.md.
 */
import { Logger } from '@nestjs/common';
import console from 'node:console';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs, USAGE } from './lib/args.js';
import { measure } from './lib/load.js';
import { memoryOf, ProcessWatch } from './lib/process-stats.js';
import {
  evaluateTargets,
  formatFloods,
  formatOverload,
  formatTable,
  formatTargets,
  scenarioRow,
  summarize,
  summarizeOverload,
  TARGETS,
  writeReport,
} from './lib/report.js';
import {
  DEEP_PAGE,
  DEEP_PAGE_DEPTH,
  DEEP_PAGES,
  loginRequest,
  OVERLOAD,
  PER_PAGE,
  READS,
  WRITES,
} from './lib/scenarios.js';
import { memberEmail, PASSWORD, sampleBoardIds, seed } from './lib/seed.js';
import { apiMetrics, cursorAtDepth, firstBoardId, settle, signIn, startServers } from './lib/servers.js';
import { checkRedis, deleteRedisKeys, startDatabase, waitForReplica } from './lib/stack.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const USERS = 10_000;
const TASKS = 100_000;
/** Before each run: the previous run's requests still in flight (autocannon stops without waiting) finish. */
const SETTLE_MS = 500;
/**
 * The reads measured again beside a login flood (when they run at all): the page the SPA opens, and a read that the
 * event loop pays for more than the database.
 */
const FLOODED = ['boards-page', 'board-by-id'];

const say = (line) => console.log(`[bench] ${line}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const rounded = (values) => values.map((value) => Math.round(value * 100) / 100);

function machineFacts() {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageBefore: rounded(os.loadavg()),
  };
}

const countersSince = (before, after) =>
  Object.fromEntries(Object.entries(after).map(([name, count]) => [name, count - before[name]]));

/** Waits for `server` to be idle and ready again; says so when it is not (the run goes on, its figures show why). */
async function settleDown({ server, database }) {
  if (!(await settle(server, database, SETTLE_MS))) {
    say(`${server.name} is still busy or not ready a minute after a run`);
  }
}

/**
 * Runs `drive(onMeasureStart)` with the target's process watched over the measured window: CPU and memory, and for
 * the API its metrics (event-loop delay, heap, reads by node) scraped at both ends.
 */
async function observed(target, drive) {
  const watch = new ProcessWatch(target.server.pid);
  let atStart;
  const outcome = await drive(() => {
    watch.start();
    if (target.name === 'api') atStart = apiMetrics(target.url);
  });
  const observation = { process: watch.stop() };
  if (atStart) {
    const before = await atStart;
    const after = await apiMetrics(target.url);
    Object.assign(observation, after, { reads: countersSince(before.reads, after.reads) });
  }
  return { outcome, observation };
}

/** One round of one scenario against one target, once the previous run has drained (a scenario may read state). */
async function runScenario(scenario, target, fixtures, options, round) {
  await settleDown(target);
  const load = { url: target.url, ...options.load, ...(await scenario.options(target, fixtures)) };
  const { outcome, observation } = await observed(target, (onMeasureStart) => measure({ ...load, onMeasureStart }));
  const cpuMs = observation.process.cpuPercent * 10 * outcome.seconds;
  const cpuMsPerRequest = outcome.answered > 0 ? Math.round((cpuMs / outcome.answered) * 1000) / 1000 : null;
  const result = { ...outcome, ...observation, cpuMsPerRequest };
  say(
    `${round} ${target.name.padEnd(9)} ${scenario.title.padEnd(40)} ${String(result.rps).padStart(8)} req/s  ` +
      `p99 ${(result.p99?.toFixed(1) ?? '-').padStart(7)} ms  CPU ${result.process.cpuPercent}%` +
      (result.errors + result.non2xx > 0 ? `  err/non2xx ${result.errors}/${result.non2xx}` : ''),
  );
  return result;
}

/** `read` from one set of connections while as many more flood POST /auth/login, both on the API. */
async function runBesideLoginFlood(read, api, fixtures, options) {
  await settleDown(api);
  const load = { url: api.url, ...options.load };
  const readLoad = { ...load, ...(await read.options(api, fixtures)) };
  const loginLoad = { ...load, requests: [loginRequest(fixtures.loginEmails, fixtures.password)] };
  const { outcome, observation } = await observed(api, (onMeasureStart) =>
    Promise.all([measure({ ...readLoad, onMeasureStart }), measure(loginLoad)]),
  );
  const [reads, login] = outcome;
  say(
    `api       ${read.title} beside a login flood: ${reads.rps} req/s, p99 ${reads.p99} ms; ` +
      `login ${login.rps} req/s; CPU ${observation.process.cpuPercent}%`,
  );
  return { read: reads, login, ...observation };
}

/** `read` beside a login flood, round after round; medians as for the scenarios, and the quiet p99 to compare with. */
async function runFloods(read, api, fixtures, options, quietP99) {
  const rounds = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    rounds.push(await runBesideLoginFlood(read, api, fixtures, options));
  }
  return {
    name: read.name,
    title: read.title,
    rounds,
    read: summarize(rounds.map((entry) => entry.read)),
    login: summarize(rounds.map((entry) => entry.login)),
    quietP99,
  };
}

/**
 * One round of the overload scenario on `target`: the deepest numbered page from `listFactor` times the connections
 * and board-by-id from the usual number, at once. The list's 503s are timed (fast: within TARGETS.fastShedMs).
 */
async function runOverload(target, fixtures, options, round) {
  await settleDown(target);
  const load = { url: target.url, ...options.load, fastMs: TARGETS.fastShedMs };
  const listLoad = {
    ...load,
    connections: options.connections * OVERLOAD.listFactor,
    ...(await OVERLOAD.list.options(target, fixtures)),
  };
  const byIdLoad = { ...load, ...(await OVERLOAD.beside.options(target, fixtures)) };
  const { outcome, observation } = await observed(target, (onMeasureStart) =>
    Promise.all([measure({ ...listLoad, onMeasureStart }), measure(byIdLoad)]),
  );
  const [list, byId] = outcome;
  say(
    `${round} ${target.name.padEnd(9)} overload: list ${list.rps} 2xx/s, ${list.shed.count} 503s of ` +
      `${list.answered} answers (${list.shed.fast} fast), ${list.errors} errors; by-id ${byId.rps} req/s, ` +
      `p99 ${byId.p99 ?? '-'} ms, err/non2xx ${byId.errors}/${byId.non2xx}; CPU ${observation.process.cpuPercent}%`,
  );
  return { list, byId, ...observation };
}

/** The overload scenario on every target, in rounds. */
async function runOverloadRounds(targets, fixtures, options) {
  const rounds = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    const entry = {};
    for (const target of targets) entry[target.name] = await runOverload(target, fixtures, options, round);
    rounds.push(entry);
  }
  const overload = { name: OVERLOAD.name, title: OVERLOAD.title, rounds };
  for (const target of targets) overload[target.name] = summarizeOverload(rounds.map((entry) => entry[target.name]));
  return overload;
}

/** Seeds, waits for the replica, and reports how long both took. */
async function seedDatabase(database, sizes, signedIn) {
  say(`seeding ${sizes.users} members, ${sizes.boards} boards, ${sizes.tasks} tasks`);
  const seedMs = await seed(database.primaryUrl, { ...sizes, signedIn });
  const replayStarted = Date.now();
  await waitForReplica(database);
  const replicaCatchUpMs = Date.now() - replayStarted;
  say(`seeded in ${seconds(seedMs)}; the replica caught up in ${seconds(replicaCatchUpMs)}`);
  return { ...sizes, signedIn, seedMs, replicaCatchUpMs };
}

/** The API and the baseline, each with the first `count` members signed in (one per connection). */
async function signedInTargets(servers, database, count) {
  const emails = Array.from({ length: count }, (_, i) => memberEmail(i + 1));
  const targets = [];
  for (const server of [servers.api, servers.baseline]) {
    const signInOn = (list) => signIn(server.url, list, PASSWORD);
    const members = await signInOn(emails);
    targets.push({ name: server.name, server, database, url: server.url, members, signIn: signInOn });
  }
  return targets;
}

/**
 * Runs each wanted scenario in rounds, each round on every target in turn (the API first: A B A B ...), so that a
 * slow spell of the machine falls on both; a row holds every round and the summaries over them.
 */
async function runAll(scenarios, targets, fixtures, options) {
  const rows = [];
  for (const scenario of scenarios.filter((candidate) => options.wanted(candidate.name))) {
    const rounds = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      const entry = {};
      for (const target of targets) entry[target.name] = await runScenario(scenario, target, fixtures, options, round);
      rounds.push(entry);
    }
    rows.push(scenarioRow(scenario, rounds));
  }
  return rows;
}

/** The keyset cursor where numbered page DEEP_PAGE starts, checked against that page. */
async function deepCursor(api) {
  await settleDown(api);
  const depth = DEEP_PAGE_DEPTH;
  const cursor = await cursorAtDepth(api.url, depth);
  const samePage =
    (await firstBoardId(api.url, `page=${DEEP_PAGE}&perPage=${PER_PAGE}`)) ===
    (await firstBoardId(api.url, `limit=${PER_PAGE}&cursor=${encodeURIComponent(cursor)}`));
  say(
    `the keyset cursor ${depth} rows in ${samePage ? 'starts where' : 'does NOT start where'} page ${DEEP_PAGE} does`,
  );
  return cursor;
}

function printSummary({ rows, seedFacts, memory, login, floods, overload, targets, options, nodeOptions }) {
  const rounds = options.rounds === 1 ? '1 round' : `the median of ${options.rounds} rounds (min-max)`;
  if (rows.length > 0) console.log(`\n${formatTable(rows)}\n`);
  console.log(
    `Each figure is ${rounds}, API and baseline taking turns; ratio: API / baseline median req/s. ` +
      `${seedFacts.boards.toLocaleString('en')} boards; page ${DEEP_PAGE} starts ` +
      `${DEEP_PAGE_DEPTH.toLocaleString('en')} rows in. ${options.connections} connections, ` +
      `${options.warmupS} s warm-up + ${options.durationS} s measured per run. ` +
      `NODE_OPTIONS: API ${JSON.stringify(nodeOptions.api)}, baseline ${JSON.stringify(nodeOptions.baseline)}.`,
  );
  if (overload) {
    console.log(
      `\nOverload (${OVERLOAD.name}): ${OVERLOAD.list.title} from ${options.connections * OVERLOAD.listFactor} ` +
        `connections beside ${OVERLOAD.beside.title} from ${options.connections}; shares of the list's answers:\n` +
        `${formatOverload(overload)}`,
    );
  }
  if (floods.length > 0) console.log(`\n${formatFloods(floods)}`);
  console.log();
  const mb = (value) => `${Math.round(value)} MB`;
  console.log(
    `Peak RSS (VmHWM): API ${mb(memory.api.peakRssMb)} (at rest ${mb(memory.apiAtRest.rssMb)}), ` +
      `baseline ${mb(memory.baseline.peakRssMb)}.`,
  );
  if (login) {
    const { cpuPercent: cpu, mainThreadCpuPercent: main } = login.api;
    const delays = login.rounds.map((entry) => entry.api.eventLoopDelayMs?.p99).filter(Number.isFinite);
    console.log(
      `Login run (medians): API CPU ${cpu.median}%, of which the event-loop thread ${main.median}% and other ` +
        `threads (libuv pool, GC) ${Math.round((cpu.median - main.median) * 10) / 10}%; event-loop delay p99 ` +
        `${delays.join(', ')} ms in the rounds.`,
    );
  }
  console.log(`\n${formatTargets(targets)}\n`);
}

async function main(options) {
  const startedAt = new Date().toISOString();
  const started = Date.now();
  const machine = machineFacts();
  say(
    `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}; ` +
      `load average ${machine.loadAverageBefore.join(', ')}`,
  );
  if (machine.loadAverageBefore[0] > machine.cpus / 2) say('the machine is busy: figures will be low and noisy');
  await checkRedis(REDIS_URL);

  const runId = `modak-bench-${randomBytes(4).toString('hex')}`;
  const profileDir = options.profile
    ? path.join(BENCH_DIR, 'results/profiles', startedAt.replace(/[:.]/g, '-'))
    : undefined;
  say('starting PostgreSQL (primary + streaming replica) in a temp folder');
  const database = await startDatabase();
  let servers;
  let failed = false;
  try {
    const sizes = { users: USERS, boards: options.scale ? 1_000_000 : 100_000, tasks: TASKS };
    const seedFacts = await seedDatabase(database, sizes, options.connections);
    servers = await startServers({
      database,
      redisUrl: REDIS_URL,
      runId,
      dir: database.dir,
      profileDir,
      apiEnv: options.apiEnv,
      apiMain: options.apiMain,
    });
    const targets = await signedInTargets(servers, database, options.connections);
    const [api] = targets;
    const nodeOptions = { api: servers.api.nodeOptions, baseline: servers.baseline.nodeOptions };
    say(
      `NODE_OPTIONS from docker/Dockerfile: ${JSON.stringify(nodeOptions.baseline)}; the API runs with ${JSON.stringify(nodeOptions.api)}`,
    );
    const apiAtRest = { ...memoryOf(api.server.pid), ...(await apiMetrics(api.url)).memoryMb };
    say(
      `${options.connections} members signed in on each server; API at rest: RSS ${Math.round(apiAtRest.rssMb)} MB, ` +
        `heap ${apiAtRest.heapUsed} of ${apiAtRest.heapTotal} MB (${seconds(Date.now() - started)} since start)`,
    );

    const fixtures = {
      primaryUrl: database.primaryUrl,
      password: PASSWORD,
      boardIds: await sampleBoardIds(database.replicaUrl, 10_000),
      loginEmails: Array.from({ length: USERS - options.connections }, (_, i) =>
        memberEmail(options.connections + i + 1),
      ),
    };
    const reads = await runAll(READS, targets, fixtures, options);
    const floods = [];
    const flooded = READS.filter(({ name }) => FLOODED.includes(name) && options.wanted(name));
    for (const read of options.wanted('login-flood') ? flooded : []) {
      const quietP99 = reads.find((row) => row.name === read.name)?.api?.p99?.median;
      floods.push(await runFloods(read, api, fixtures, options, quietP99));
    }
    if (options.wanted('boards-keyset-deep')) fixtures.deepCursor = await deepCursor(api);
    const deep = await runAll(DEEP_PAGES, targets, fixtures, options);
    // Before the writes: board-create puts boards of the 50 signed-in members on top of the list, and a page whose
    // 10 000 rows have 50 authors joins them far more cheaply than one whose rows have 10 000 (by ~5x here).
    const overload = options.wanted(OVERLOAD.name) ? await runOverloadRounds(targets, fixtures, options) : undefined;
    const writes = await runAll(WRITES, targets, fixtures, options);

    const rows = [...reads, ...deep, ...writes];
    const memory = { apiAtRest, api: memoryOf(api.server.pid), baseline: memoryOf(servers.baseline.pid) };
    const login = writes.find((row) => row.name === 'login');
    const targetResults = evaluateTargets({
      rows,
      floods,
      overload,
      loginRounds: login?.rounds.map((entry) => entry.api.process),
      peakRssMb: Math.round(memory.api.peakRssMb),
      boards: seedFacts.boards,
    });
    printSummary({ rows, seedFacts, memory, login, floods, overload, targets: targetResults, options, nodeOptions });

    const file = await writeReport(
      {
        startedAt,
        finishedAt: new Date().toISOString(),
        options: { ...options, only: options.only && [...options.only], wanted: undefined, load: undefined },
        machine: { ...machine, loadAverageAfter: rounded(os.loadavg()) },
        nodeOptions,
        seed: seedFacts,
        memory,
        scenarios: rows,
        loginFloods: floods,
        overload: overload ?? null,
        targets: targetResults,
      },
      path.join(BENCH_DIR, 'results'),
    );
    say(`written to ${path.relative(process.cwd(), file)} (${seconds(Date.now() - started)} in all)`);
    if (profileDir) say(`CPU profiles go to ${path.relative(process.cwd(), profileDir)}/ as the servers stop`);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await servers?.api.stop();
    await servers?.baseline.stop();
    await database.stop({ keep: options.keep || failed });
    await deleteRedisKeys(REDIS_URL, runId);
    if (options.keep || failed) say(`server logs and data kept in ${database.dir}`);
  }
}

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
} else {
  // The migrations log through Nest's logger; the benchmark's own output is enough.
  Logger.overrideLogger(false);
  main(options).catch((error) => {
    console.error(`[bench] failed: ${error.stack ?? error}`);
    process.exit(1);
  });
}
