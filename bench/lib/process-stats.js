/**
 * What a server process costs while it is measured, read from /proc: resident memory (sampled, and the kernel's
 * high-water mark), CPU time of the whole process and of each of its threads.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** VmRSS and VmHWM in MB, and the thread count, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: field('VmRSS') / 1024, peakRssMb: field('VmHWM') / 1024, threads: field('Threads') };
}

/** utime + stime in clock ticks, from a /proc stat line (fields 14 and 15, counted after the command's parentheses). */
const ticksOf = (stat) => {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

/** CPU ticks of every thread of `pid`, by thread id, with the thread's name. */
function threadTicks(pid) {
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      threads.set(tid, { name, ticks: ticksOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) });
    } catch {
      // the thread ended while we looked
    }
  }
  return threads;
}

/**
 * Watches one process from `start()` to `stop()`: peak RSS sampled every 100 ms, and CPU used over the window in
 * percent of one core, for the process, its main (event-loop) thread and its other threads grouped by name.
 */
export class ProcessWatch {
  constructor(pid) {
    this.pid = pid;
  }

  start() {
    this.startedAt = performance.now();
    this.before = threadTicks(this.pid);
    this.peakRssMb = memoryOf(this.pid).rssMb;
    this.sampler = setInterval(() => {
      this.peakRssMb = Math.max(this.peakRssMb, memoryOf(this.pid).rssMb);
    }, 100);
  }

  stop() {
    clearInterval(this.sampler);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const after = threadTicks(this.pid);
    const percent = (ticks) => Math.round((ticks / CLOCK_TICKS / seconds) * 1000) / 10;
    const byName = new Map();
    let total = 0;
    let main = 0;
    for (const [tid, { name, ticks }] of after) {
      const used = ticks - (this.before.get(tid)?.ticks ?? 0);
      total += used;
      if (tid === String(this.pid)) main = used;
      else byName.set(name, (byName.get(name) ?? 0) + used);
    }
    const { rssMb, threads } = memoryOf(this.pid);
    return {
      cpuPercent: percent(total),
      mainThreadCpuPercent: percent(main),
      otherThreadsCpuPercent: Object.fromEntries(
        [...byName].filter(([, ticks]) => ticks > 0).map(([name, ticks]) => [name, percent(ticks)]),
      ),
      threads,
      peakRssMb: Math.round(Math.max(this.peakRssMb, rssMb)),
    };
  }
}
