/**
 * The run's tables (medians over the rounds with their min-max spread), its targets with PASS/MISS, and the JSON
 * written to bench/results/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const TARGETS = {
  /** API req/s / baseline req/s (medians), for the reads below. */
  readRatio: 0.6,
  readRatioOf: ['board-by-id', 'users-me', 'tasks-mine', 'boards-keyset-first', 'boards-keyset-deep', 'boards-page'],
  /** The same for writes and the token refresh. */
  writeRatio: 0.5,
  writeRatioOf: ['board-create', 'task-update', 'token-refresh'],
  /** API p99 (median of the rounds), for the reads below. */
  p99Ms: 50,
  p99Of: ['board-by-id', 'users-me', 'boards-keyset-first', 'boards-keyset-deep'],
  /** At 1 000 000 boards (`--scale`): numbered page 1's p99, and its req/s against keyset page 1's. */
  scaleBoards: 1_000_000,
  scaleP99Ms: 100,
  scaleKeysetFactor: 0.8,
  peakRssMb: 250,
  /** Share of the API's CPU during the login run spent off the event-loop thread (argon2 on libuv's pool). */
  loginOffLoopShare: 0.5,
  floodP99Factor: 2,
  /** Overload: board-by-id's p99 beside the list, and how fast the list's 503s must come. */
  overloadByIdP99Ms: 200,
  fastShedMs: 1_500,
};

const sum = (values) => values.reduce((total, value) => total + value, 0);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (value, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The median, min and max of the numbers among `values` (null when there are none). */
export function spread(values) {
  const numbers = values.filter(Number.isFinite);
  if (numbers.length === 0) return null;
  return { median: round(median(numbers), 3), min: Math.min(...numbers), max: Math.max(...numbers) };
}

function mergeCounts(objects) {
  const merged = {};
  for (const object of objects)
    for (const [key, count] of Object.entries(object ?? {})) merged[key] = (merged[key] ?? 0) + count;
  return merged;
}

/**
 * One target's figures over its rounds (each a `measure` result with `cpuMsPerRequest` and `process`): medians and
 * spreads of req/s, p50, p99, CPU ms/req and CPU %, sums of the counts.
 */
export function summarize(results) {
  return {
    rounds: results.length,
    rps: spread(results.map((result) => result.rps)),
    p50: spread(results.map((result) => result.p50)),
    p99: spread(results.map((result) => result.p99)),
    cpuMsPerRequest: spread(results.map((result) => result.cpuMsPerRequest)),
    cpuPercent: spread(results.map((result) => result.process?.cpuPercent)),
    mainThreadCpuPercent: spread(results.map((result) => result.process?.mainThreadCpuPercent)),
    answered: sum(results.map((result) => result.answered)),
    ok: sum(results.map((result) => result.ok)),
    errors: sum(results.map((result) => result.errors)),
    non2xx: sum(results.map((result) => result.non2xx)),
    statuses: mergeCounts(results.map((result) => result.statuses)),
    shed: {
      count: sum(results.map((result) => result.shed.count)),
      fast: sum(results.map((result) => result.shed.fast)),
      max: Math.max(...results.map((result) => result.shed.max)),
    },
  };
}

/** The API's median req/s over the baseline's. */
export const ratioOf = (api, baseline) =>
  api?.rps && baseline?.rps?.median > 0 ? round(api.rps.median / baseline.rps.median) : null;

/** A scenario's row from its rounds (`[{ api, baseline }]`). */
export function scenarioRow(scenario, rounds) {
  const row = { name: scenario.name, title: scenario.title, rounds };
  for (const target of ['api', 'baseline']) {
    const results = rounds.map((entry) => entry[target]).filter(Boolean);
    if (results.length > 0) row[target] = summarize(results);
  }
  row.ratio = ratioOf(row.api, row.baseline);
  return row;
}

/**
 * The overload scenario's figures for one target over its rounds: the list's (with the share of its answers that
 * were 503s, and fast 503s, per round) and board-by-id's beside it.
 */
export function summarizeOverload(results) {
  const share = (count, result) => (result.list.answered > 0 ? round(count / result.list.answered, 3) : null);
  return {
    list: {
      ...summarize(results.map((result) => result.list)),
      answeredPerS: spread(results.map((result) => round(result.list.answered / result.list.seconds, 1))),
      shedShare: spread(results.map((result) => share(result.list.shed.count, result))),
      fastShedShare: spread(results.map((result) => share(result.list.shed.fast, result))),
    },
    byId: summarize(results.map((result) => result.byId)),
    cpuPercent: spread(results.map((result) => result.process.cpuPercent)),
  };
}

const rps = (value) => (value >= 100 ? String(Math.round(value)) : value.toFixed(1));
const ms = (value) => value.toFixed(1);
const cpu = (value) => value.toFixed(2);
const percent = (value) => `${Math.round(value * 100)}%`;

/** A spread as `median (min-max)`; only the median when there was one round, or all rounds agree. */
const cell = (value, format) => {
  if (!value) return '-';
  if (value.min === value.max) return format(value.median);
  return `${format(value.median)} (${format(value.min)}-${format(value.max)})`;
};
const failures = (summary) => (summary ? `${summary.errors}/${summary.non2xx}` : '-');

/** Rows of cells as text: columns as wide as their widest cell, the first `left` left-aligned, the rest right. */
function columns(header, rows, left = 2) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => String(row[i]).length)));
  const line = (row) =>
    row
      .map((value, i) => (i < left ? String(value).padEnd(widths[i]) : String(value).padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const head = line(header);
  return [head, '-'.repeat(head.length), ...rows.map(line)].join('\n');
}

/**
 * Two lines per scenario, the API's and the baseline's: req/s (2xx answers), p50 and p99 of those in ms, and the CPU
 * time each server spent per answered request (all its threads, which depends less on what else the machine runs),
 * each as the median of the rounds with its min-max; errors/non-2xx summed over the rounds; the ratio of the medians.
 */
export function formatTable(rows) {
  const header = ['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'err/non2xx', 'ratio'];
  const lines = [];
  for (const row of rows) {
    for (const target of ['api', 'baseline']) {
      const summary = row[target];
      if (!summary) continue;
      const first = target === 'api' || !row.api;
      lines.push([
        first ? row.title : '',
        target === 'api' ? 'API' : 'baseline',
        cell(summary.rps, rps),
        cell(summary.p50, ms),
        cell(summary.p99, ms),
        cell(summary.cpuMsPerRequest, cpu),
        failures(summary),
        target === 'api' && row.ratio !== null ? `${row.ratio.toFixed(2)}x` : '',
      ]);
    }
  }
  return columns(header, lines);
}

/** The overload scenario: the list's answers and 503s, and board-by-id beside it, per server. */
export function formatOverload(overload) {
  const header = [
    'server',
    'list answers/s',
    'list 2xx/s',
    '503 share',
    `503 <= ${TARGETS.fastShedMs / 1000} s share`,
    '503s fast/all',
    'list err',
    'by-id req/s',
    'by-id p50',
    'by-id p99',
    'by-id err/non2xx',
  ];
  const lines = ['api', 'baseline']
    .filter((target) => overload[target])
    .map((target) => {
      const { list, byId } = overload[target];
      return [
        target === 'api' ? 'API' : 'baseline',
        cell(list.answeredPerS, rps),
        cell(list.rps, rps),
        cell(list.shedShare, percent),
        cell(list.fastShedShare, percent),
        `${list.shed.fast}/${list.shed.count}`,
        String(list.errors),
        cell(byId.rps, rps),
        cell(byId.p50, ms),
        cell(byId.p99, ms),
        failures(byId),
      ];
    });
  return columns(header, lines, 1);
}

/** The reads measured beside a login flood (API only). */
export function formatFloods(floods) {
  const header = [
    'beside a login flood (API)',
    'req/s',
    'p99 ms',
    'quiet p99 ms',
    'err/non2xx',
    'logins/s',
    'login err',
  ];
  const lines = floods.map((flood) => [
    flood.title,
    cell(flood.read.rps, rps),
    cell(flood.read.p99, ms),
    Number.isFinite(flood.quietP99) ? ms(flood.quietP99) : '-',
    failures(flood.read),
    cell(flood.login.rps, rps),
    failures(flood.login),
  ]);
  return columns(header, lines, 1);
}

/** The median p99 of a summary, as shown beside a target; a summary without any 2xx answer has none. */
const p99Value = (summary) => (summary.p99 ? `${ms(summary.p99.median)} ms` : 'no 2xx answer');
const p99Below = (summary, limit) => summary.p99 !== null && summary.p99.median < limit;

/** Every target that the run has the figures for, with its value and whether it holds. */
export function evaluateTargets({ rows, floods, overload, loginRounds, peakRssMb, boards }) {
  const results = [];
  const add = (target, value, pass) => results.push({ target, value, pass });
  const find = (name) => rows.find((row) => row.name === name);
  const boardsLabel = `${boards.toLocaleString('en')} boards`;
  const ratioTarget = (names, threshold) => {
    for (const name of names) {
      const row = find(name);
      if (row?.ratio === null || row?.ratio === undefined) continue;
      const label = name === 'boards-page' ? `boards-page (numbered page 1, ${boardsLabel})` : name;
      add(`${label}: req/s >= ${threshold}x baseline`, `${row.ratio.toFixed(2)}x`, row.ratio >= threshold);
    }
  };
  ratioTarget(TARGETS.readRatioOf, TARGETS.readRatio);
  ratioTarget(TARGETS.writeRatioOf, TARGETS.writeRatio);
  for (const name of TARGETS.p99Of) {
    const api = find(name)?.api;
    if (api) add(`${name}: p99 < ${TARGETS.p99Ms} ms`, p99Value(api), p99Below(api, TARGETS.p99Ms));
  }
  const page = find('boards-page')?.api;
  const keyset = find('boards-keyset-first')?.api;
  if (boards >= TARGETS.scaleBoards && page) {
    add(
      `numbered page 1 at ${boardsLabel}: p99 < ${TARGETS.scaleP99Ms} ms`,
      p99Value(page),
      p99Below(page, TARGETS.scaleP99Ms),
    );
    if (keyset) {
      const factor = page.rps.median / keyset.rps.median;
      add(
        `numbered page 1 at ${boardsLabel}: req/s >= ${TARGETS.scaleKeysetFactor}x keyset page 1`,
        `${rps(page.rps.median)} vs ${rps(keyset.rps.median)} req/s (${factor.toFixed(2)}x)`,
        factor >= TARGETS.scaleKeysetFactor,
      );
    }
  }
  for (const { name, api } of rows) {
    if (api) add(`${name}: no errors, no non-2xx (no 503)`, failures(api), api.errors + api.non2xx === 0);
  }
  if (peakRssMb !== undefined) {
    add(`API peak RSS < ${TARGETS.peakRssMb} MB`, `${peakRssMb} MB`, peakRssMb < TARGETS.peakRssMb);
  }
  if (loginRounds?.length) {
    const shares = loginRounds.map(
      ({ cpuPercent, mainThreadCpuPercent }) => (cpuPercent - mainThreadCpuPercent) / cpuPercent,
    );
    const share = median(shares);
    add(
      `login: >= ${TARGETS.loginOffLoopShare * 100}% of API CPU off the event loop (argon2 on the pool)`,
      `${percent(share)} of ${median(loginRounds.map((stats) => stats.cpuPercent)).toFixed(1)}% CPU`,
      share >= TARGETS.loginOffLoopShare,
    );
  }
  for (const flood of floods) {
    const failed = flood.read.errors + flood.read.non2xx + flood.login.errors + flood.login.non2xx;
    add(
      `${flood.name} beside a login flood: no errors, no non-2xx`,
      `${failures(flood.read)} and logins ${failures(flood.login)}`,
      failed === 0,
    );
  }
  for (const flood of floods.filter((candidate) => Number.isFinite(candidate.quietP99) && candidate.read.p99)) {
    const factor = flood.read.p99.median / flood.quietP99;
    add(
      `${flood.name}: p99 beside a login flood <= ${TARGETS.floodP99Factor}x quiet`,
      `${ms(flood.read.p99.median)} vs ${ms(flood.quietP99)} ms (${factor.toFixed(2)}x)`,
      factor <= TARGETS.floodP99Factor,
    );
  }
  const beside = overload?.api;
  if (beside) {
    const { list, byId } = beside;
    add(
      `overload: board-by-id p99 beside the list < ${TARGETS.overloadByIdP99Ms} ms`,
      byId.p99 ? `${p99Value(byId)} (max ${ms(byId.p99.max)})` : p99Value(byId),
      p99Below(byId, TARGETS.overloadByIdP99Ms),
    );
    add('overload: board-by-id no errors, no non-2xx', failures(byId), byId.errors + byId.non2xx === 0);
    const other = list.non2xx - list.shed.count;
    add(
      `overload: the list's refusals are all 503s within ${TARGETS.fastShedMs / 1000} s, no timeouts`,
      `${list.shed.fast} of ${list.shed.count} 503s fast (slowest ${ms(list.shed.max)} ms); ` +
        `${list.errors} errors, ${other} other non-2xx`,
      list.shed.fast === list.shed.count && list.errors === 0 && other === 0,
    );
  }
  return results;
}

export const formatTargets = (targets) =>
  targets.map(({ target, value, pass }) => `${pass ? 'PASS' : 'MISS'}  ${target.padEnd(72)} ${value}`).join('\n');

/** Writes `report` to bench/results/<timestamp>.json and returns the path. */
export async function writeReport(report, directory) {
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
