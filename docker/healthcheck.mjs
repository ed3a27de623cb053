#!/usr/bin/env node
/** The api container's health check (Docker HEALTHCHECK, ECS container health check): 200 from /health/live. */
const port = process.env.PORT || '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
