/**
 * The API scenario that proves a deployment serves its users end to end: sign in as the canary account, refresh the
 * session, create a task and delete it, sign out. Each step checks its answer and throws on the first that is wrong,
 * naming the step, the status and the problem's code. It leaves nothing behind: the task is deleted and the session
 * ended, also when a later step fails.
 *
 * Plain ECMAScript with the platform's fetch and no dependency, so that the same file runs from `npm run smoke` and
 * inside a CloudWatch Synthetics canary (infra/).
 */
import { URL } from 'node:url';

/** One step of the scenario failed: its name, what came back, and the request id to look up in the logs. */
export class ScenarioError extends Error {
  constructor(step, detail, requestId) {
    super(`${step}: ${detail}${requestId ? ` (request ${requestId})` : ''}`);
    this.name = 'ScenarioError';
    this.step = step;
    this.requestId = requestId;
  }
}

/**
 * Runs the scenario against `baseUrl` (the deployment's origin, e.g. https://api.modak.example). `log` receives one
 * line per step with its duration. Resolves with the steps' timings; rejects with a ScenarioError.
 */
export async function runScenario({ baseUrl, email, password, log = () => {}, timeoutMs = 10_000 }) {
  if (!email || !password) throw new ScenarioError('configuration', 'the canary account needs an email and a password');
  const api = (path) => new URL(`/api/v1${path}`, baseUrl);
  const timings = [];

  async function step(name, expected, path, init = {}) {
    const started = Date.now();
    let response;
    try {
      response = await globalThis.fetch(api(path), {
        ...init,
        redirect: 'manual',
        signal: globalThis.AbortSignal.timeout(timeoutMs),
        headers: {
          accept: 'application/json',
          'user-agent': 'modak-smoke',
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
      });
    } catch (error) {
      throw new ScenarioError(name, `no answer: ${error.message}`);
    }
    const text = await response.text();
    const requestId = response.headers.get('x-request-id') ?? undefined;
    if (response.status !== expected) {
      let code = '';
      try {
        code = JSON.parse(text).code ?? '';
      } catch {
        // not problem+json (a load balancer's page): the status says enough
      }
      throw new ScenarioError(name, `expected ${expected}, got ${response.status} ${code}`.trim(), requestId);
    }
    const ms = Date.now() - started;
    timings.push({ step: name, ms });
    log(`${name}: ${response.status} in ${ms} ms`);
    return text ? JSON.parse(text) : undefined;
  }
  const bearer = (token) => ({ authorization: `Bearer ${token}` });

  const signedIn = await step('sign in', 200, '/auth/login', {
    method: 'POST',
    body: JSON.stringify({ email, password }),
  });
  let session = signedIn;
  let task;
  let failure;
  try {
    session = await step('refresh', 200, '/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: signedIn.refreshToken }),
    });
    if (session.refreshToken === signedIn.refreshToken) {
      throw new ScenarioError('refresh', 'the refresh token did not rotate');
    }
    task = await step('create a task', 201, '/tasks', {
      method: 'POST',
      headers: bearer(session.accessToken),
      body: JSON.stringify({ title: `canary ${new Date().toISOString()}` }),
    });
    await step('read the task back', 200, `/tasks/${task.id}`, { headers: bearer(session.accessToken) });
    await step('delete the task', 204, `/tasks/${task.id}`, { method: 'DELETE', headers: bearer(session.accessToken) });
    const deleted = task;
    task = undefined;
    await step('the task is gone', 404, `/tasks/${deleted.id}`, { headers: bearer(session.accessToken) });
  } catch (error) {
    failure = error;
  }
  // Whatever happened above: no task stays, and the session ends.
  if (task) {
    await step('clean up the task', 204, `/tasks/${task.id}`, {
      method: 'DELETE',
      headers: bearer(session.accessToken),
    }).catch(() => undefined);
  }
  try {
    await step('sign out', 204, '/auth/logout', { method: 'POST', headers: bearer(session.accessToken) });
  } catch (error) {
    failure ??= error;
  }
  if (failure) throw failure;
  await step('the access token no longer works', 401, '/users/me', { headers: bearer(session.accessToken) });
  return timings;
}
