/**
 * The benchmarked requests. Each scenario turns a target (the API or the baseline, with its signed-in members) and the
 * run's fixtures into autocannon options; per-connection state (a member's token, its tasks and their versions, a
 * refresh-token chain) lives in closures handed to each connection by `setupClient`.
 */
import { ownedTasks } from './seed.js';

const API = '/api/v1';
const JSON_HEADERS = { 'content-type': 'application/json' };
const NEXT_STATUS = { TODO: 'IN_PROGRESS', IN_PROGRESS: 'DONE', DONE: 'TODO' };

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const randomIp = () =>
  `10.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const get = (path) => ({ requests: [{ method: 'GET', path }] });

/**
 * A `setupClient` that gives the i-th connection `states[i]` and the requests `requestsFor(state)` builds for it. The
 * state outlives the warm-up: it is the same connection all along.
 */
function perConnection(states, requestsFor) {
  let next = 0;
  return (client) => {
    const state = states[next % states.length];
    next += 1;
    client.setRequests(requestsFor(state));
  };
}

/** A GET with the member's token on each connection. */
const signedInGet = (target, path) => ({
  setupClient: perConnection(target.members, (member) => [
    { method: 'GET', path, headers: bearer(member.accessToken) },
  ]),
});

/** board-by-id's request: a random live board per request. */
const randomBoard = (fixtures) => ({
  requests: [
    { method: 'GET', setupRequest: (request) => ({ ...request, path: `${API}/boards/${pick(fixtures.boardIds)}` }) },
  ],
});

/** The reads, beside which a login flood runs. */
export const READS = [
  {
    name: 'boards-page',
    title: 'GET /boards (page 1, anonymous)',
    options: () => get(`${API}/boards`),
  },
  {
    name: 'board-by-id',
    title: 'GET /boards/:id (random ids)',
    options: (_target, fixtures) => randomBoard(fixtures),
  },
  {
    name: 'users-me',
    title: 'GET /users/me',
    options: (target) => signedInGet(target, `${API}/users/me`),
  },
  {
    name: 'tasks-mine',
    title: 'GET /tasks?assigneeId=me',
    options: (target) => signedInGet(target, `${API}/tasks?assigneeId=me`),
  },
];

/** Writes and sign-in. */
export const WRITES = [
  {
    name: 'board-create',
    title: 'POST /boards',
    options: (target) => ({
      setupClient: perConnection(target.members, (member) => [
        {
          method: 'POST',
          path: `${API}/boards`,
          headers: { ...JSON_HEADERS, ...bearer(member.accessToken) },
          body: JSON.stringify({
            title: '벤치마크 공지 benchmark notice',
            content: '이번 주 배포는 목요일입니다. The deploy is on Thursday; questions go in the comments.',
          }),
        },
      ]),
    }),
  },
  {
    // Each connection changes only the tasks its member created for itself (no mail to anyone) and counts their
    // versions from its own answers: no 409. A 409 would mean a change it did not see (one still in flight when an
    // earlier run stopped): that task is then left alone, so one stray conflict does not repeat.
    name: 'task-update',
    title: 'PATCH /tasks/:id (status, with version)',
    options: async (target, fixtures) => {
      const tasks = await ownedTasks(
        fixtures.primaryUrl,
        target.members.map((member) => member.email),
      );
      const states = target.members.map((member, i) => ({ member, tasks: tasks[i], next: 0, pending: undefined }));
      return {
        setupClient: perConnection(states, (state) => [
          {
            method: 'PATCH',
            headers: { ...JSON_HEADERS, ...bearer(state.member.accessToken) },
            setupRequest: (request) => {
              const task = state.tasks[state.next++ % state.tasks.length];
              state.pending = { task, status: NEXT_STATUS[task.status] };
              return {
                ...request,
                path: `${API}/tasks/${task.id}`,
                body: JSON.stringify({ version: task.version, status: state.pending.status }),
              };
            },
            onResponse: (status) => {
              const { task, status: newStatus } = state.pending;
              if (status === 200) Object.assign(task, { version: task.version + 1, status: newStatus });
              else if (status === 409 && state.tasks.length > 1) state.tasks.splice(state.tasks.indexOf(task), 1);
            },
          },
        ]),
      };
    },
  },
  {
    // Each connection signs in once, then chains its newest refresh token (single use: the old one is spent).
    name: 'token-refresh',
    title: 'POST /auth/refresh (chained)',
    options: async (target) => {
      const sessions = await target.signIn(target.members.map((member) => member.email));
      const states = sessions.map((session) => ({ token: session.refreshToken }));
      return {
        setupClient: perConnection(states, (state) => [
          {
            method: 'POST',
            path: `${API}/auth/refresh`,
            headers: JSON_HEADERS,
            setupRequest: (request) => ({ ...request, body: JSON.stringify({ refreshToken: state.token }) }),
            onResponse: (status, body) => {
              if (status === 200) state.token = JSON.parse(body).refreshToken;
            },
          },
        ]),
      };
    },
  },
  {
    // Many members from many addresses (the API trusts one X-Forwarded-For hop with TRUST_PROXY): no rate limit hit.
    name: 'login',
    title: 'POST /auth/login (argon2id)',
    options: (_target, fixtures) => ({ requests: [loginRequest(fixtures.loginEmails, fixtures.password)] }),
  },
];

/** One sign-in of a random member from a random address. */
export const loginRequest = (emails, password) => ({
  method: 'POST',
  path: `${API}/auth/login`,
  setupRequest: (request) => ({
    ...request,
    headers: { ...JSON_HEADERS, 'x-forwarded-for': randomIp() },
    body: JSON.stringify({ email: pick(emails), password }),
  }),
});

/**
 * The deepest numbered page the API serves: numbered pages reach the first MAX_COUNTED_ROWS (10 000) rows, and page 500
 * of 20 starts 9 980 rows in (page 501 answers 400 PAGE_TOO_DEEP).
 */
export const DEEP_PAGE = 500;
export const PER_PAGE = 20;
export const DEEP_PAGE_DEPTH = (DEEP_PAGE - 1) * PER_PAGE;
const DEEP_PAGE_PATH = `${API}/boards?page=${DEEP_PAGE}&perPage=${PER_PAGE}`;

/** Numbered and keyset pages at depth. */
export const DEEP_PAGES = [
  {
    name: `boards-page-${DEEP_PAGE}`,
    title: `GET /boards?page=${DEEP_PAGE} (${DEEP_PAGE_DEPTH.toLocaleString('en')} in)`,
    options: () => get(DEEP_PAGE_PATH),
  },
  {
    name: 'boards-keyset-first',
    title: 'GET /boards?limit=20 (keyset, first)',
    options: () => get(`${API}/boards?limit=20`),
  },
  {
    name: 'boards-keyset-deep',
    title: 'GET /boards?cursor= (keyset, same depth)',
    options: (_target, fixtures) => get(`${API}/boards?limit=20&cursor=${encodeURIComponent(fixtures.deepCursor)}`),
  },
];

/**
 * The overload scenario: the costliest list, the deepest numbered page (each request reads 10 001 rows with its
 * OFFSET and joins), from four times the connections, beside board-by-id at the usual number. The page is asked as a
 * client asks it, so its total comes from the count cache as it would in production (one bounded count per 5 s): the
 * count cache keys on the filter, not on the page or perPage, so varying those would not defeat it, and the page's
 * own read is what costs. The API is expected to shed the list's excess with fast 503s and to keep board-by-id's
 * share of the pool; the baseline has no admission and queues.
 */
export const OVERLOAD = {
  name: 'overload',
  title: `GET /boards?page=${DEEP_PAGE} x4 beside GET /boards/:id`,
  /** Connections of the list, per connection of the by-id reads. */
  listFactor: 4,
  list: { title: `GET /boards?page=${DEEP_PAGE}`, options: () => get(DEEP_PAGE_PATH) },
  beside: { title: 'GET /boards/:id', options: (_target, fixtures) => randomBoard(fixtures) },
};
