/**
 * Checks that the baseline still sends the API's statements, so that its ratios keep meaning "same database work":
 * starts a small stack with statement logging on, makes each benchmarked request once on the API, and looks for
 * every statement of bench/baseline/sql.js in PostgreSQL's logs. Then asks both servers for the same numbered pages
 * (first, deepest, too deep, last, past the end) and compares what they answer (status, `meta`, the item ids). Run it
 * after a change to a repository:
 *
 *   npm run build && node bench/check-sql.js
 */
import { Logger } from '@nestjs/common';
import console from 'node:console';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { SQL } from './baseline/sql.js';
import { memberEmail, ownedTasks, PASSWORD, seed } from './lib/seed.js';
import { signIn, startServers } from './lib/servers.js';
import { deleteRedisKeys, startDatabase, waitForReplica } from './lib/stack.js';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const { fetch } = globalThis;
/** Seeded with more boards than numbered pages count (null totals), and 29 tasks assigned to this member. */
const SEED = { users: 100, boards: 12_000, tasks: 1_000, signedIn: 2 };
const MEMBER = memberEmail(2);

/** Numbered pages that take each way through the contract: counted, too many to count, too deep, last, past the end. */
const PAGES = [
  '/boards',
  '/boards?page=500&perPage=20',
  '/boards?page=501&perPage=20',
  '/boards?page=3&perPage=100',
  '/tasks?assigneeId=me',
  '/tasks?assigneeId=me&page=2&perPage=20',
  '/tasks?assigneeId=me&page=3&perPage=20',
  '/tasks?assigneeId=me&page=1&perPage=50',
];

/** Each benchmarked request once, as the scenarios send it. */
async function requestEach(url, database) {
  const [member] = await signIn(url, [MEMBER], PASSWORD);
  const call = async (method, route, body) => {
    const response = await fetch(`${url}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${member.accessToken}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}`);
    return response.json();
  };
  // Anonymous reads first: a signed-in client's reads go to the primary right after its writes.
  const fetchAnonymous = async (route) => (await fetch(`${url}/api/v1${route}`)).json();
  const first = await fetchAnonymous('/boards?limit=20');
  await fetchAnonymous(`/boards?limit=20&cursor=${encodeURIComponent(first.meta.nextCursor)}`);
  await fetchAnonymous('/boards');
  await fetchAnonymous('/boards?page=500&perPage=20');
  await fetchAnonymous(`/boards/${first.items[0].id}`);
  await call('GET', '/users/me');
  await call('GET', '/tasks?assigneeId=me');
  await call('POST', '/boards', { title: 'check', content: 'check' });
  const [[task]] = await ownedTasks(database.primaryUrl, [member.email]);
  await call('PATCH', `/tasks/${task.id}`, { version: task.version, status: 'IN_PROGRESS' });
  await call('POST', '/auth/refresh', { refreshToken: member.refreshToken });
}

/** PAGES on both servers, compared; the differences, as lines. */
async function comparePages(servers) {
  const answers = {};
  for (const server of [servers.api, servers.baseline]) {
    const [member] = await signIn(server.url, [MEMBER], PASSWORD);
    answers[server.name] = [];
    for (const route of PAGES) {
      const response = await fetch(`${server.url}/api/v1${route}`, {
        headers: { authorization: `Bearer ${member.accessToken}` },
      });
      const body = await response.json();
      answers[server.name].push({
        status: response.status,
        ...(response.ok ? { meta: body.meta, ids: body.items.map((item) => item.id) } : { code: body.code }),
      });
    }
  }
  return PAGES.map((route, i) => {
    const [api, baseline] = [answers.api[i], answers.baseline[i]];
    const same = JSON.stringify(api) === JSON.stringify(baseline);
    const shown = api.meta ? JSON.stringify(api.meta) : `${api.status} ${api.code}`;
    return { route, same, line: same ? shown : `API ${JSON.stringify(api)}\n  baseline ${JSON.stringify(baseline)}` };
  });
}

/** Every statement PostgreSQL logged, without the log line's prefix. */
async function loggedStatements(database) {
  const logs = await Promise.all(
    ['primary', 'replica'].map((node) => readFile(path.join(database.cluster[`${node}Dir`], 'server.log'), 'utf8')),
  );
  return new Set(
    logs
      .join('\n')
      .split('\n')
      .map((line) => /LOG: {2}(?:statement|execute [^:]+): (.*)$/.exec(line)?.[1]?.trim())
      .filter(Boolean),
  );
}

async function main() {
  Logger.overrideLogger(false);
  const runId = `modak-bench-${randomBytes(4).toString('hex')}`;
  const database = await startDatabase();
  let servers;
  let keep = false;
  try {
    await seed(database.primaryUrl, SEED);
    for (const node of ['primary', 'replica']) {
      await database.cluster.query(node, "ALTER SYSTEM SET log_statement = 'all'");
      await database.cluster.query(node, 'SELECT pg_reload_conf()');
    }
    await waitForReplica(database);
    servers = await startServers({ database, redisUrl: REDIS_URL, runId, dir: database.dir });
    await requestEach(servers.api.url, database);
    const logged = await loggedStatements(database);
    const expected = {
      'numbered page 1: rows': SQL.boardsFirst(21),
      'numbered page 500: ids': SQL.boardPageIds(9_980, 21),
      'numbered page 500: rows': SQL.boardsByIds(21),
      'numbered page: total': SQL.boardCount,
      'keyset page: first': SQL.boardsFirst(21),
      'keyset page: after a cursor': SQL.boardsAfter(21),
      'board by id': SQL.boardById,
      'new board': SQL.insertBoard,
      'user by id': SQL.userById,
      'user by email (sign-in)': SQL.userByEmail,
      'assigned tasks, page 1: rows': SQL.assignedTasksFirst(21),
      'assigned tasks: total': SQL.assignedTaskCount,
      'task by id': SQL.taskById,
      'task status change': SQL.updateTaskStatus,
      'task event': SQL.insertTaskEvent,
      'write position': SQL.writePosition,
    };
    const missing = Object.entries(expected).filter(([, statement]) => !logged.has(statement));
    for (const [name] of Object.entries(expected)) {
      console.log(`${missing.some(([other]) => other === name) ? 'DIFFERS' : 'same   '}  ${name}`);
    }
    // After the statements are read: the baseline's own are in the same logs.
    const pages = await comparePages(servers);
    console.log('\nnumbered pages, API against baseline:');
    for (const { route, same, line } of pages) console.log(`${same ? 'same   ' : 'DIFFERS'}  ${route}: ${line}`);
    if (missing.length > 0) {
      keep = true;
      console.log(
        `\nThe API now sends other statements: update bench/baseline/sql.js from PostgreSQL's logs, kept in ` +
          `${database.dir}/postgres/{primary,replica}/server.log`,
      );
      process.exitCode = 1;
    }
    if (pages.some(({ same }) => !same)) {
      console.log('\nThe baseline answers numbered pages otherwise than the API: see bench/baseline/routes.js.');
      process.exitCode = 1;
    }
  } finally {
    await servers?.api.stop();
    await servers?.baseline.stop();
    await database.stop({ keep });
    await deleteRedisKeys(REDIS_URL, runId);
  }
}

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exit(1);
});
