/**
 * Drives one server with autocannon: a single continuous run of warm-up plus measurement, so connections and their
 * state (tokens, task versions) carry over, of which only the responses after the warm-up are counted.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';

const percentile = (sorted, p) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const round = (value, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Runs `options` (autocannon's: method, path, headers, body, setupClient ...) against `url` for `warmupS + durationS`
 * seconds with `connections` connections. `onMeasureStart` is called when counting begins. Resolves to figures over
 * the measured part: successful (2xx) answers per second and their latency percentiles in ms (null without any), as autocannon counts
 * them (a fast 503 is no throughput), then errors (timeouts, connection errors) and non-2xx answers apart, and the
 * 503s (`shed`: how many, how many came within `fastMs`, their latency p99 and max).
 */
export async function measure({
  url,
  connections,
  warmupS,
  durationS,
  timeoutS = 10,
  fastMs = 1_500,
  onMeasureStart,
  ...options
}) {
  const latencies = [];
  const shedLatencies = [];
  const statuses = {};
  let errors = 0;
  let measuring = false;
  let startedAt = 0;
  let finishedAt = 0;
  await new Promise((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: warmupS + durationS, timeout: timeoutS, ...options },
      (error) => {
        finishedAt = performance.now();
        clearTimeout(warmup);
        if (error) reject(error);
        else resolve();
      },
    );
    const warmup = setTimeout(() => {
      measuring = true;
      startedAt = performance.now();
      onMeasureStart?.();
    }, warmupS * 1000);
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (!measuring) return;
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else if (statusCode === 503) shedLatencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
    instance.on('reqError', () => {
      if (measuring) errors += 1;
    });
  });
  const seconds = (finishedAt - startedAt) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  const shed = Float64Array.from(shedLatencies).sort();
  const non2xx = Object.entries(statuses)
    .filter(([status]) => !status.startsWith('2'))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    answered: Object.values(statuses).reduce((sum, count) => sum + count, 0),
    ok: latencies.length,
    seconds: round(seconds, 2),
    rps: round(latencies.length / seconds),
    // No 2xx answer, no latency (not 0 ms): the summaries over rounds leave such a round out of the percentiles.
    p50: sorted.length > 0 ? round(percentile(sorted, 50), 2) : null,
    p90: sorted.length > 0 ? round(percentile(sorted, 90), 2) : null,
    p99: sorted.length > 0 ? round(percentile(sorted, 99), 2) : null,
    max: sorted.length > 0 ? round(sorted.at(-1), 2) : null,
    errors,
    non2xx,
    statuses,
    shed: {
      count: shedLatencies.length,
      fast: shedLatencies.filter((latency) => latency <= fastMs).length,
      fastMs,
      p99: round(percentile(shed, 99), 2),
      max: round(shed.at(-1) ?? 0, 2),
    },
  };
}
