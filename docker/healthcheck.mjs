#!/usr/bin/env node
/**
 * The container health check (Docker HEALTHCHECK, compose, ECS): 200 from /health/live. No argument: the api's, on
 * PORT. `worker`: the worker's, on WORKER_HEALTH_PORT (loopback only).
 */
const ports = { api: process.env.PORT || '3000', worker: process.env.WORKER_HEALTH_PORT || '3001' };
const port = ports[process.argv[2] ?? 'api'];
if (!port) process.exit(2);
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
