import { createTestDatabase, freePort, SmtpSink, type TestDatabase } from '@app/testing';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApi, testApiEnv, type TestApi } from '../support/api.js';
import { call, createUser, login, mailedCode, PASSWORD } from '../support/auth.js';
import { json } from '../support/http.js';
import { startWorker, testWorkerEnv, type TestWorker } from '../support/worker.js';
import type { Spa, SpaState } from './spa/spa.js';
import { API_HOST, FOREIGN_HOST, launchChromium, onHost, screenshot, SPA_HOST, watchPage } from './support/chromium.js';
import { startSpaServer, type SpaServer } from './support/spa-server.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The page's `window.spa` (spa/spa.ts), inside `page.evaluate` callbacks, which run in the browser. */
declare const spa: Spa;
declare const document: { cookie: string };

describe('the SPA on its own origin, in Chromium, through the typed client', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let worker: TestWorker;
  let api: TestApi;
  let server: SpaServer;
  let browser: Browser;
  /** The api and the SPA as the browser reaches them: two origins of one site. */
  let apiOrigin: string;
  let spaOrigin: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    const spaPort = await freePort();
    spaOrigin = `http://${SPA_HOST}:${spaPort}`;
    [api, worker, browser] = await Promise.all([
      startApi(testApiEnv(database, { CORS_ORIGINS: spaOrigin, FRONTEND_URL: `${spaOrigin}/` })),
      startWorker(testWorkerEnv(database, { SMTP_URL: sink.url })),
      launchChromium(),
    ]);
    apiOrigin = onHost(api.url, API_HOST);
    server = await startSpaServer({ port: spaPort, apiOrigin });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await api?.close();
    await worker?.close();
    await sink?.stop();
  });

  /** Opens `origin`'s page and waits until it knows whether the refresh cookie signs it in. */
  async function open(page: Page, origin: string = spaOrigin): Promise<SpaState> {
    await page.goto(`${origin}/`);
    await page.locator('main:not([data-state="loading"])').waitFor();
    return page.evaluate(() => spa.state());
  }

  const refreshCookie = async (context: BrowserContext) =>
    (await context.cookies(`${apiOrigin}/api/v1/auth/refresh`)).find((cookie) => cookie.name === 'modak_rt');

  it('signs up, verifies, signs in, survives a reload through the refresh cookie, writes, and signs out', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
    try {
      const page = await context.newPage();
      const watched = watchPage(page);
      const email = `spa-${randomUUID().slice(0, 8)}@example.com`;
      const nickname = `모닥-${email.slice(4, 10)}`;

      await expect(open(page)).resolves.toBe('signed-out');
      await screenshot(page, 'spa-1-signed-out');

      const signup = await page.evaluate((body) => spa.signup(body), { email, password: PASSWORD, nickname });
      expect(signup).toMatchObject({ status: 201, data: { user: { email, nickname, emailVerified: false } } });
      // The problem details cross origins too: the SPA reads the code of a refusal.
      const early = await page.evaluate((body) => spa.login(body), { email, password: PASSWORD });
      expect(early).toMatchObject({ status: 403, problem: { code: 'EMAIL_NOT_VERIFIED', status: 403 } });

      const code = await mailedCode(sink, email);
      // The code and the signup's password prove the address, and sign in.
      const signedIn = await page.evaluate((body) => spa.verify(body), { email, code, password: PASSWORD });
      expect(signedIn).toMatchObject({ status: 200, data: { email, nickname, emailVerified: true } });
      await expect(page.locator('#status').textContent()).resolves.toBe(`Signed in as ${nickname} (${email})`);

      // The page keeps no refresh token: the browser holds it in a cookie of the api's host, out of the page's reach,
      // sent to the auth routes alone, and not Secure outside production (so that it works over plain http here).
      const cookie = await refreshCookie(context);
      expect(cookie).toMatchObject({
        domain: API_HOST,
        path: '/api/v1/auth',
        httpOnly: true,
        sameSite: 'Strict',
        secure: false,
      });
      await expect(context.cookies(`${apiOrigin}/api/v1/boards`)).resolves.toEqual([]);
      await expect(page.evaluate(() => document.cookie)).resolves.toBe('');

      // A reload forgets the access token; the page signs back in with the cookie, which rotates.
      await page.reload();
      await page.locator('main:not([data-state="loading"])').waitFor();
      await expect(page.evaluate(() => spa.state())).resolves.toBe('signed-in');
      await expect(page.locator('#status').textContent()).resolves.toBe(`Signed in as ${nickname} (${email})`);
      const rotated = await refreshCookie(context);
      expect(rotated?.value).toBeDefined();
      expect(rotated?.value).not.toBe(cookie?.value);

      const board = await page.evaluate((body) => spa.createBoard(body), {
        title: '첫 번째 글',
        content: '브라우저에서 쓴 글입니다',
      });
      expect(board).toMatchObject({ status: 201, data: { title: '첫 번째 글', author: { nickname } } });
      const task = await page.evaluate((body) => spa.createTask(body), { title: 'SPA 연결 확인' });
      expect(task).toMatchObject({ status: 201, data: { title: 'SPA 연결 확인', status: 'TODO', version: 1 } });
      const mine = await page.evaluate(() => spa.myTasks());
      expect(mine.data?.map((item) => item.id)).toEqual([task.data?.id]);
      await expect(page.locator('#boards').textContent()).resolves.toContain('첫 번째 글');
      // The pager of the shared board: its total, and whether another page follows; past row 10 000, cursor mode.
      const first = await page.evaluate(() => spa.boardsPage(1));
      expect(first).toMatchObject({ status: 200, data: { page: 1, total: expect.any(Number), hasNext: false } });
      await expect(page.locator('#pager').textContent()).resolves.toBe('page 1 of 1');
      const tooDeep = await page.evaluate(() => spa.boardsPage(501));
      expect(tooDeep).toMatchObject({ status: 400, problem: { code: 'PAGE_TOO_DEEP' } });
      await expect(page.locator('#tasks').textContent()).resolves.toBe('[TODO] SPA 연결 확인');
      await screenshot(page, 'spa-2-signed-in-after-reload');

      // Signing out ends the session and its access token, and the browser drops the cookie.
      const accessToken = await page.evaluate(() => spa.accessToken());
      await expect(page.evaluate(() => spa.logout())).resolves.toEqual({ status: 204 });
      await expect(refreshCookie(context)).resolves.toBeUndefined();
      expect((await call(api, '/users/me', accessToken!)).status).toBe(401);
      await expect(open(page)).resolves.toBe('signed-out');
      await screenshot(page, 'spa-3-signed-out-after-reload');

      // The browser reports the refusals the test asked for (no cookie yet, unverified address, a page too deep) and
      // nothing else.
      expect(watched.errors.filter((error) => !/status of (401|403) /.test(error))).toEqual([
        expect.stringContaining('status of 400'),
      ]);
    } finally {
      await context.close();
    }
  });

  it('resets a forgotten password with the mailed code, then signs in with the new one', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const watched = watchPage(page);
      const user = await createUser(api);
      await expect(open(page)).resolves.toBe('signed-out');

      await expect(page.evaluate((body) => spa.forgotPassword(body), { email: user.email })).resolves.toEqual({
        status: 202,
      });
      const mail = await sink.waitFor((m) => m.to.includes(user.email) && m.subject.includes('password reset code'));
      const code = /\b(\d{6})\b/.exec(mail.text)![1];
      const newPassword = 'amber-orchard-ferry-93';
      await expect(
        page.evaluate((body) => spa.resetPassword(body), { email: user.email, code, newPassword }),
      ).resolves.toEqual({ status: 204 });

      const old = await page.evaluate((body) => spa.login(body), { email: user.email, password: PASSWORD });
      expect(old).toMatchObject({ status: 401, problem: { code: 'INVALID_CREDENTIALS' } });
      const signedIn = await page.evaluate((body) => spa.login(body), { email: user.email, password: newPassword });
      expect(signedIn).toMatchObject({ status: 200, data: { email: user.email } });
      await expect(page.locator('#status').textContent()).resolves.toContain(user.email);
      // The one refusal the test asked for (the old password), besides the first load's refresh without a cookie.
      expect(watched.errors.filter((error) => !error.includes('status of 401 '))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('keeps another origin out: its reads are blocked and its writes are never sent', async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 480 } });
    try {
      const user = await createUser(api);
      const { accessToken } = await login(api, user);
      const title = `from elsewhere ${randomUUID()}`;
      const page = await context.newPage();
      const watched = watchPage(page);
      const foreignOrigin = onHost(server.url, FOREIGN_HOST);

      // The same page, served from a host of another site, cannot even reach its boot-time refresh.
      await expect(open(page, foreignOrigin)).resolves.toBe('unreachable');
      await screenshot(page, 'spa-foreign-origin');

      const attempt = (target: { apiOrigin: string; accessToken: string; title: string }) =>
        Promise.all([
          fetch(`${target.apiOrigin}/api/v1/boards`).then(
            (response) => `read ${response.status}`,
            (error: Error) => `read failed: ${error.message}`,
          ),
          fetch(`${target.apiOrigin}/api/v1/boards`, {
            method: 'POST',
            headers: { authorization: `Bearer ${target.accessToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ title: target.title, content: 'should never arrive' }),
          }).then(
            (response) => `write ${response.status}`,
            (error: Error) => `write failed: ${error.message}`,
          ),
        ]);
      await expect(page.evaluate(attempt, { apiOrigin, accessToken, title })).resolves.toEqual([
        'read failed: Failed to fetch',
        'write failed: Failed to fetch',
      ]);
      // Chromium's own account: the read answered without the origin allowed, the write's preflight was refused.
      const blocked = `Access to fetch at '${apiOrigin}/api/v1/boards' from origin '${foreignOrigin}' has been blocked by CORS policy`;
      expect(watched.errors).toEqual(
        expect.arrayContaining([
          `${blocked}: No 'Access-Control-Allow-Origin' header is present on the requested resource.`,
          expect.stringMatching(new RegExp(`^${escapeRegExp(blocked)}: Response to preflight request doesn't pass`)),
        ]),
      );

      // The preflight was refused, so the write never reached the api; nothing was created.
      const boards = await json<{ items: { title: string }[] }>(await call(api, `/boards?authorId=${user.id}`));
      expect(boards.items).toEqual([]);

      // The allowed origin, same browser, same calls: both go through.
      const spaPage = await context.newPage();
      await open(spaPage);
      const allowed = await spaPage.evaluate(attempt, { apiOrigin, accessToken, title });
      expect(allowed).toEqual(['read 200', 'write 201']);
    } finally {
      await context.close();
    }
  });
});
