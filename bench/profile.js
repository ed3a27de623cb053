/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, as `npm run bench -- --profile` writes them): where the busy time
 * went, leaving out idle time. Self time by package and by function says what burns the CPU; time on the stack by
 * package says how much of the work happens inside a layer and what it calls (TypeORM building a query and mapping
 * rows, Nest running a handler).
 *
 *   node bench/profile.js bench/results/profiles/<run>/<file>.cpuprofile [--top=25]
 */
import console from 'node:console';
import { readFileSync } from 'node:fs';
import process from 'node:process';

const IDLE = new Set(['(idle)', '(program)']);

/** `node_modules/<package>`, `dist/<app or lib>`, `node:<module>`, or the V8 pseudo-frame itself. */
function placeOf({ functionName, url }) {
  if (!url) return functionName || '(anonymous)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const dist = /dist\/(apps|libs)\/([^/]+)\/src\/([^/]+)/.exec(url);
  if (dist) return `${dist[1]}/${dist[2]}/${dist[3].replace(/\.js$/, '')}`;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?([^/]+).*/, 'node:$2');
  return url.replace(/^.*\//, '');
}

const percent = (part, whole) => `${((part / whole) * 100).toFixed(1)}%`.padStart(6);

/** For each node id, the set of places on its stack (itself and its ancestors). */
function placesOnStack(nodes) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const memo = new Map();
  const places = (id) => {
    if (memo.has(id)) return memo.get(id);
    const parent = parentOf.get(id);
    const set = new Set(parent === undefined ? [] : places(parent));
    set.add(placeOf(byId.get(id).callFrame));
    memo.set(id, set);
    return set;
  };
  return places;
}

function summarise(file, top) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const interval = (profile.endTime - profile.startTime) / profile.samples.length / 1000;
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const places = placesOnStack(profile.nodes);
  let busy = 0;
  const byPlace = new Map();
  const byFunction = new Map();
  const onStack = new Map();
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  for (const id of profile.samples) {
    const { callFrame } = nodeById.get(id);
    if (IDLE.has(callFrame.functionName)) continue;
    busy += interval;
    const place = placeOf(callFrame);
    add(byPlace, place, interval);
    add(byFunction, `${callFrame.functionName || '(anonymous)'}  ${place}:${callFrame.lineNumber + 1}`, interval);
    for (const onIt of places(id)) add(onStack, onIt, interval);
  }
  const wall = (profile.endTime - profile.startTime) / 1000;
  console.log(`${file}\nbusy ${(busy / 1000).toFixed(1)} s of ${(wall / 1000).toFixed(1)} s profiled\n`);
  const table = (title, entries) => {
    console.log(title);
    for (const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${percent(ms, busy)}  ${(ms / 1000).toFixed(2).padStart(7)} s  ${name}`);
    }
    console.log('');
  };
  table('self time by package or file (share of busy time)', byPlace);
  table('time on the stack by package or file (itself and what it calls)', onStack);
  table('self time by function', byFunction);
}

const files = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const top = Number(/^--top=(\d+)$/.exec(process.argv.find((arg) => arg.startsWith('--top=')) ?? '')?.[1] ?? 25);
if (files.length === 0) {
  console.error('usage: node bench/profile.js <file.cpuprofile> [--top=25]');
  process.exit(2);
}
for (const file of files) summarise(file, top);
