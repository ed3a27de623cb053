import { createTestDatabase, type TestDatabase } from '@app/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApi, testApiEnv, type TestApi } from '../support/api.js';
import { call, createUser, login, type TestUser, type Tokens } from '../support/auth.js';
import { json } from '../support/http.js';
import { launchChromium, screenshot, watchPage } from './support/chromium.js';

/** The tags of the OpenAPI document (apps/api/src/http/openapi.document.ts), in its order. */
const TAGS = ['Auth', 'Users', 'Admin', 'Boards', 'Tasks'];

describe('the OpenAPI page (Swagger UI at /docs) in Chromium', () => {
  let database: TestDatabase;
  let api: TestApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let watched: ReturnType<typeof watchPage>;
  let author: TestUser;
  let tokens: Tokens;
  const boardTitle = `모닥 공지 ${Date.now()}`;

  beforeAll(async () => {
    database = await createTestDatabase();
    [api, browser] = await Promise.all([startApi(testApiEnv(database)), launchChromium()]);
    author = await createUser(api);
    tokens = await login(api, author);
    const created = await call(api, '/boards', tokens.accessToken, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: boardTitle, content: 'Swagger UI에서 보이는 글' }),
    });
    expect(created.status).toBe(201);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    watched = watchPage(page);
    await page.goto(`${api.url}/docs`);
    await page.locator('.swagger-ui .information-container .title').waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('renders every tag of the document, its assets allowed by the Content Security Policy', async () => {
    await expect(page.title()).resolves.toBe('Modak API');
    await expect(page.locator('.information-container .title').textContent()).resolves.toContain('Modak API');
    const shown = await page.locator('h3.opblock-tag').evaluateAll((tags) => tags.map((tag) => tag.dataset.tag));
    const documented = (await json<{ tags: { name: string }[] }>(await fetch(`${api.url}/docs/openapi.json`))).tags;
    expect(documented.map((tag) => tag.name)).toEqual(TAGS);
    expect(shown).toEqual(TAGS);
    // Every operation of the document has its block on the page.
    await expect(page.locator('#operations-Boards-BoardsController_list').count()).resolves.toBe(1);
    await expect(page.locator('#operations-Tasks-TasksController_events').count()).resolves.toBe(1);
    await screenshot(page, 'docs-tags');
    // A script, style or image the CSP refused would be reported here (and the page would not have rendered).
    expect(watched.errors).toEqual([]);
    expect(watched.failedRequests).toEqual([]);
  });

  /** Opens an operation, presses "Try it out" then "Execute" with what the form holds, and reads the answer shown. */
  async function tryItOut(tagAndOperation: string): Promise<{ status: string | null; body: string | null }> {
    const operation = page.locator(`#operations-${tagAndOperation}`);
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();
    const answer = operation.locator('.live-responses-table .response');
    await answer.waitFor();
    const shown = {
      status: await answer.locator('.response-col_status').textContent(),
      body: await answer.locator('.response-col_description .microlight').first().textContent(),
    };
    await screenshot(operation, `docs-${tagAndOperation}`);
    return shown;
  }

  it('runs GET /boards with "Try it out" as the form comes, and shows the 200 answer with the boards', async () => {
    const { status, body } = await tryItOut('Boards-BoardsController_list');
    expect(status).toBe('200');
    expect(body).toContain(boardTitle);
    expect(watched.errors).toEqual([]);
  });

  it('authorizes with a bearer token, then reads the signed-in user and the task list', async () => {
    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.dialog-ux .modal-ux');
    // The dialog lists every scheme of the document; the bearer one is for users (Kakao's admin key for Kakao).
    const bearer = dialog.locator('form').filter({ hasText: 'bearer (http, Bearer)' });
    await bearer.locator('input').fill(tokens.accessToken);
    await bearer.locator('button.authorize').click();
    await bearer.locator('button.btn-done').click();

    const me = await tryItOut('Users-UsersController_me');
    expect(me.status).toBe('200');
    expect(me.body).toContain(author.email);
    const tasks = await tryItOut('Tasks-TasksController_list');
    expect(tasks.status).toBe('200');
    expect(JSON.parse(tasks.body ?? '{}')).toMatchObject({ items: [] });
    expect(watched.errors).toEqual([]);
  });
});
