/** The run's table, its targets with PASS/MISS, and the JSON written to bench/results/. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const TARGETS = {
  readRatio: 0.5,
  readP99Ms: 50,
  keysetDepthFactor: 1.5,
  peakRssMb: 250,
  /** Share of the API's CPU during the login run spent off the event-loop thread (argon2 on libuv's pool). */
  loginOffLoopShare: 0.5,
  floodP99Factor: 2,
};

const pad = (value, width) => String(value).padStart(width);
const ms = (value) => (value === undefined ? '-' : value.toFixed(1));
const failures = (stats) => (stats ? `${stats.errors}/${stats.non2xx}` : '-');

const cpu = (stats) => (Number.isFinite(stats?.cpuMsPerRequest) ? stats.cpuMsPerRequest.toFixed(2) : '-');

/**
 * One line per scenario: the API, the baseline, the API's throughput as a fraction of the baseline's, and the CPU
 * time each server spent per request (all its threads), which depends less on what else the machine runs.
 */
export function formatTable(rows) {
  const header =
    `${'scenario'.padEnd(42)}${pad('API req/s', 10)}${pad('p50', 8)}${pad('p99', 8)}${pad('err/non2xx', 11)}` +
    ` |${pad('base req/s', 11)}${pad('p50', 7)}${pad('p99', 8)}${pad('err/non2xx', 11)} |${pad('ratio', 6)}` +
    ' | CPU ms/req API/base';
  const lines = rows.map(({ title, api, baseline }) => {
    const ratio = api && baseline?.rps > 0 ? `${(api.rps / baseline.rps).toFixed(2)}x` : '-';
    return (
      `${title.padEnd(42)}${pad(api?.rps ?? '-', 10)}${pad(ms(api?.p50), 8)}${pad(ms(api?.p99), 8)}` +
      `${pad(failures(api), 11)} |${pad(baseline?.rps ?? '-', 11)}${pad(ms(baseline?.p50), 7)}` +
      `${pad(ms(baseline?.p99), 8)}${pad(failures(baseline), 11)} |${pad(ratio, 6)} | ${cpu(api)} / ${cpu(baseline)}`
    );
  });
  return [header, '-'.repeat(header.length), ...lines].join('\n');
}

/** Every target that the run has the figures for, with its value and whether it holds. */
export function evaluateTargets({ reads, all, deep, floods, login, peakRssMb }) {
  const results = [];
  const add = (target, value, pass) => results.push({ target, value, pass });
  for (const { name, api, baseline } of reads) {
    if (api && baseline?.rps > 0) {
      const ratio = api.rps / baseline.rps;
      add(`${name}: throughput >= ${TARGETS.readRatio}x baseline`, `${ratio.toFixed(2)}x`, ratio >= TARGETS.readRatio);
    }
    if (api) add(`${name}: p99 < ${TARGETS.readP99Ms} ms`, `${api.p99.toFixed(1)} ms`, api.p99 < TARGETS.readP99Ms);
  }
  for (const { name, api } of all) {
    if (api) add(`${name}: no errors, no non-2xx`, failures(api), api.errors + api.non2xx === 0);
  }
  const keysetDeep = deep.find((row) => row.name === 'boards-keyset-deep')?.api;
  for (const reference of ['boards-page', 'boards-keyset-first']) {
    const first = [...reads, ...deep].find((row) => row.name === reference)?.api;
    if (!keysetDeep || !first) continue;
    add(
      `keyset at depth: req/s within ${TARGETS.keysetDepthFactor}x of ${reference}`,
      `${keysetDeep.rps} vs ${first.rps} req/s`,
      keysetDeep.rps * TARGETS.keysetDepthFactor >= first.rps,
    );
  }
  if (peakRssMb !== undefined) {
    add(`API peak RSS < ${TARGETS.peakRssMb} MB`, `${peakRssMb} MB`, peakRssMb < TARGETS.peakRssMb);
  }
  if (login) {
    const offLoop = (login.cpuPercent - login.mainThreadCpuPercent) / login.cpuPercent;
    add(
      `login: >= ${TARGETS.loginOffLoopShare * 100}% of API CPU off the event loop (argon2 on the pool)`,
      `${(offLoop * 100).toFixed(0)}% of ${login.cpuPercent}% CPU`,
      offLoop >= TARGETS.loginOffLoopShare,
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
  for (const flood of floods.filter((candidate) => candidate.quietP99 !== undefined)) {
    const factor = flood.read.p99 / flood.quietP99;
    add(
      `${flood.name}: p99 beside a login flood <= ${TARGETS.floodP99Factor}x quiet`,
      `${flood.read.p99.toFixed(1)} vs ${flood.quietP99.toFixed(1)} ms (${factor.toFixed(2)}x)`,
      factor <= TARGETS.floodP99Factor,
    );
  }
  return results;
}

export const formatTargets = (targets) =>
  targets.map(({ target, value, pass }) => `${pass ? 'PASS' : 'MISS'}  ${target.padEnd(64)} ${value}`).join('\n');

/** Writes `report` to bench/results/<timestamp>.json and returns the path. */
export async function writeReport(report, directory) {
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
