/**
 * The script of the test SPA (index.html), a stand-in for the real one: it talks to the api only through the typed
 * client, keeps the access token in memory and leaves the refresh token to the HttpOnly cookie, so that after a reload
 * it signs back in with `POST /auth/refresh` and that cookie alone. The browser tests drive it through `window.spa`.
 *
 * Compiled for the browser by spa-server.ts; type-checked with the rest of the project, whose libraries have no DOM,
 * hence the few DOM declarations below.
 */
import {
  createModakClient,
  isCursorPage,
  type Board,
  type Page,
  type Problem,
  type Task,
  type User,
} from '@app/api-client';

interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}
declare const document: { querySelector(selector: string): PageElement | null };

/** What an action answered: its HTTP status and either its data or the problem details. */
export interface Outcome<T> {
  status: number;
  data?: T;
  problem?: Problem;
}

export type SpaState = 'loading' | 'signed-out' | 'signed-in' | 'unreachable';

const element = (selector: string): PageElement => {
  const found = document.querySelector(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
};

const apiOrigin = element('meta[name="modak-api"]').getAttribute('content') ?? '';
let accessToken: string | null = null;
let user: User | null = null;
const boards: Board[] = [];
const tasks: Task[] = [];

const modak = createModakClient({ baseUrl: apiOrigin, credentials: 'include', getAccessToken: () => accessToken });

function render(state: SpaState): void {
  element('main').setAttribute('data-state', state);
  element('#status').textContent =
    state === 'signed-in' && user
      ? `Signed in as ${user.nickname} (${user.email})`
      : state === 'signed-out'
        ? 'Signed out'
        : state === 'unreachable'
          ? `The api at ${apiOrigin} cannot be reached`
          : 'Loading…';
  element('#boards').textContent = boards.map((board) => `${board.title} — ${board.author.nickname}`).join('\n') || '-';
  element('#tasks').textContent = tasks.map((task) => `[${task.status}] ${task.title}`).join('\n') || '-';
}

const outcome = <T>(response: Response, data: T | undefined, problem: Problem | undefined): Outcome<T> => ({
  status: response.status,
  ...(data === undefined ? {} : { data }),
  ...(problem === undefined ? {} : { problem }),
});

function signedIn(tokens: { accessToken: string; user: User } | undefined): void {
  accessToken = tokens?.accessToken ?? null;
  user = tokens?.user ?? null;
  render(user ? 'signed-in' : 'signed-out');
}

export const spa = {
  state: (): SpaState => (element('main').getAttribute('data-state') ?? 'loading') as SpaState,
  accessToken: (): string | null => accessToken,

  async signup(body: { email: string; password: string; nickname: string }): Promise<Outcome<{ user: User }>> {
    const { data, error, response } = await modak.POST('/api/v1/auth/signup', { body });
    return outcome(response, data, error);
  },

  /** Proves the address with the mailed code and the signup's password, which signs in. */
  async verify(body: { email: string; code: string; password: string }): Promise<Outcome<User>> {
    const { data, error, response } = await modak.POST('/api/v1/auth/email/verify', { body });
    if (data) signedIn(data);
    return outcome(response, data?.user, error);
  },

  async forgotPassword(body: { email: string }): Promise<Outcome<undefined>> {
    const { error, response } = await modak.POST('/api/v1/auth/password/forgot', { body });
    return outcome(response, undefined, error);
  },

  async resetPassword(body: { email: string; code: string; newPassword: string }): Promise<Outcome<undefined>> {
    const { error, response } = await modak.POST('/api/v1/auth/password/reset', { body });
    return outcome(response, undefined, error);
  },

  async login(body: { email: string; password: string }): Promise<Outcome<User>> {
    const { data, error, response } = await modak.POST('/api/v1/auth/login', { body });
    if (data) signedIn(data);
    return outcome(response, data?.user, error);
  },

  /** Signs back in with the refresh cookie alone, as on every page load. */
  async restore(): Promise<Outcome<User>> {
    const { data, error, response } = await modak.POST('/api/v1/auth/refresh', { body: {} });
    signedIn(data);
    return outcome(response, data?.user, error);
  },

  async createBoard(body: { title: string; content: string }): Promise<Outcome<Board>> {
    const { data, error, response } = await modak.POST('/api/v1/boards', { body });
    if (data) boards.unshift(data);
    render('signed-in');
    return outcome(response, data, error);
  },

  /**
   * A numbered page of the shared board, as the page's pager shows it: `page 2 of 7 ›`, or `page 2 ›` when the API
   * does not count that far (more than 10 000 boards); `›` when another page follows.
   */
  async boardsPage(page: number): Promise<Outcome<Page<Board>['meta']>> {
    const { data, error, response } = await modak.GET('/api/v1/boards', { params: { query: { page } } });
    if (data && !isCursorPage(data)) {
      const { totalPages, hasNext } = data.meta;
      const of = totalPages === null ? '' : ` of ${totalPages}`;
      element('#pager').textContent = `page ${page}${of}${hasNext ? ' ›' : ''}`;
    }
    return outcome(response, data && !isCursorPage(data) ? data.meta : undefined, error);
  },

  async createTask(body: { title: string; description?: string }): Promise<Outcome<Task>> {
    const { data, error, response } = await modak.POST('/api/v1/tasks', { body });
    if (data) tasks.unshift(data);
    render('signed-in');
    return outcome(response, data, error);
  },

  async myTasks(): Promise<Outcome<Task[]>> {
    const { data, error, response } = await modak.GET('/api/v1/tasks', {
      params: { query: { creatorId: 'me' } },
    });
    return outcome(response, data?.items, error);
  },

  async logout(): Promise<Outcome<undefined>> {
    const { error, response } = await modak.POST('/api/v1/auth/logout');
    if (response.ok) {
      boards.length = 0;
      tasks.length = 0;
      signedIn(undefined);
    }
    return outcome(response, undefined, error);
  },
};

export type Spa = typeof spa;

(globalThis as unknown as { spa: Spa }).spa = spa;

// On every load: signed in again if the refresh cookie still holds a live session.
spa.restore().catch(() => render('unreachable'));
