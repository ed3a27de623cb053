import { Role } from '@app/core';
import {
  createTestDatabase,
  KAKAO_DEFAULT_APP,
  KAKAO_WRONG_ADMIN_KEY,
  KakaoStub,
  query,
  SmtpSink,
  type KakaoStubUnlinkReferrer,
  type KakaoStubUser,
  type TestDatabase,
} from '@app/testing';
import { REDIS_CLIENT } from '@app/redis';
import type { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { AuthKeys } from '../apps/api/src/auth/auth.keys.js';
import { RECENT_SIGN_IN_MS } from '../apps/api/src/auth/account/account-closure.service.js';
import type { TestApi } from './support/api.js';
import { call, createUser, login, PASSWORD, post, refresh, type Tokens } from './support/auth.js';
import { json } from './support/http.js';
import { startApiWithKakao } from './support/kakao.js';
import { startWorker, testWorkerEnv, type TestWorker } from './support/worker.js';
import { clientAddresses, fromAddress } from './support/clients.js';

describe('closing an account', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let stub: KakaoStub;
  let worker: TestWorker;
  let api: TestApi;
  let admin: Tokens;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    stub = await KakaoStub.start();
    api = await startApiWithKakao(database, stub);
    worker = await startWorker(
      testWorkerEnv(database, {
        SMTP_URL: sink.url,
        KAKAO_API_URL: api.config.auth.kakao!.apiUrl,
        KAKAO_ADMIN_KEY: api.config.auth.kakao!.adminKey!,
      }),
    );
    admin = await login(api, await createUser(api, { role: Role.Admin }));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await stub?.stop();
    await sink?.stop();
  });

  const nextClient = clientAddresses('198.20');
  const fresh = () => fromAddress(nextClient());
  const send = (token: string, method: string, path: string, body?: unknown) =>
    call(api, path, token, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...fresh() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const close = (token: string, body?: unknown) => send(token, 'DELETE', '/users/me', body);
  const row = async (id: string) =>
    (
      await query<Record<string, unknown>>(
        database.primaryUrl,
        'SELECT email, password_hash, kakao_id, nickname, closed_at FROM users WHERE id = $1',
        [id],
      )
    )[0];

  let kakaoIds = 0;
  const kakaoSignIn = async (email?: string) => {
    kakaoIds += 1;
    const kakaoUser: KakaoStubUser = {
      id: String(7_300_000_000 + kakaoIds),
      properties: { nickname: `카카오${kakaoIds}` },
      kakao_account: {
        is_email_valid: true,
        is_email_verified: true,
        email: email ?? `kakao-${randomUUID().slice(0, 8)}@example.com`,
      },
    };
    await stub.addUser(kakaoUser);
    const { accessToken } = await stub.issueToken({ userId: kakaoUser.id });
    const answer = await post(api, '/auth/kakao', { accessToken }, fresh());
    expect(answer.status).toBe(200);
    return { kakaoUser, tokens: await json<Tokens & { user: { id: string } }>(answer) };
  };
  const waitForUnlink = async (kakaoId: string) => {
    for (let i = 0; i < 300; i += 1) {
      if ((await stub.unlinks()).some((unlink) => unlink.userId === kakaoId)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${kakaoId} was never unlinked`);
  };

  it('erases the account with its password: sessions end, the address is free, its posts and tasks stay', async () => {
    const user = await createUser(api);
    const here = await login(api, user);
    const elsewhere = await login(api, user);
    const board = await json(await send(here.accessToken, 'POST', '/boards', { title: '남길 글', content: '본문' }));
    const open = await json(await send(admin.accessToken, 'POST', '/tasks', { title: 'open', assigneeId: user.id }));
    const done = await json(await send(admin.accessToken, 'POST', '/tasks', { title: 'done', assigneeId: user.id }));
    await send(admin.accessToken, 'PATCH', `/tasks/${done.id}`, { status: 'DONE', version: done.version });

    expect((await json(await close(here.accessToken, { password: 'not-the-password' }))).code).toBe('WRONG_PASSWORD');
    expect((await close(here.accessToken)).status).toBe(400);
    expect((await call(api, '/users/me', elsewhere.accessToken)).status).toBe(200);

    expect((await close(here.accessToken, { password: PASSWORD })).status).toBe(204);
    for (const tokens of [here, elsewhere]) {
      expect((await call(api, '/users/me', tokens.accessToken)).status).toBe(401);
      expect((await refresh(api, tokens.refreshToken)).status).toBe(401);
    }
    expect((await post(api, '/auth/login', { email: user.email, password: PASSWORD }, fresh())).status).toBe(401);
    expect(await row(user.id)).toMatchObject({
      email: null,
      password_hash: null,
      kakao_id: null,
      nickname: '탈퇴한 사용자',
      closed_at: expect.any(Date),
    });

    // Its post stays, by a closed account; its open task is unassigned with an event, its done one is history.
    const shown = await json(await call(api, `/boards/${board.id}`));
    expect(shown.author).toEqual({ id: user.id, nickname: '탈퇴한 사용자' });
    const openNow = await json(await call(api, `/tasks/${open.id}`, admin.accessToken));
    expect(openNow.assignee).toBeNull();
    const events = await json(await call(api, `/tasks/${open.id}/events`, admin.accessToken));
    expect(events.at(-1)).toMatchObject({
      type: 'ASSIGNED',
      changes: { assigneeId: { old: user.id, new: null } },
    });
    expect((await json(await call(api, `/tasks/${done.id}`, admin.accessToken))).assignee?.id).toBe(user.id);

    // Admins see it as closed; the address signs up anew.
    const listed = await json(await call(api, `/admin/users?q=${encodeURIComponent('탈퇴한')}`, admin.accessToken));
    expect(listed.items.find((item: { id: string }) => item.id === user.id)).toMatchObject({
      email: null,
      closedAt: expect.any(String),
    });
    const again = await post(
      api,
      '/auth/signup',
      { email: user.email, password: PASSWORD, nickname: 'again' },
      fresh(),
    );
    expect(again.status).toBe(201);
    expect((await json(again)).user.id).not.toBe(user.id);
  });

  it('closes a Kakao account on a fresh sign-in and unlinks it at Kakao, even while Kakao is down', async () => {
    const { kakaoUser, tokens } = await kakaoSignIn();
    await stub.failUnlinks(2);
    expect((await close(tokens.accessToken)).status).toBe(204);
    expect((await call(api, '/users/me', tokens.accessToken)).status).toBe(401);
    // The worker retries until Kakao answers; the job then forgets the Kakao id.
    await waitForUnlink(kakaoUser.id);
    expect((await stub.unlinks()).filter((unlink) => unlink.userId === kakaoUser.id)).toEqual([
      { userId: kakaoUser.id, by: 'admin-key' },
    ]);
    expect(await row(tokens.user.id)).toMatchObject({ kakao_id: null, closed_at: expect.any(Date) });
    const outbox = await query<{ payload: unknown }>(
      database.primaryUrl,
      "SELECT payload FROM outbox WHERE kind = 'kakao-unlink'",
    );
    for (const entry of outbox) expect(JSON.stringify(entry.payload)).not.toContain(kakaoUser.id);
  }, 60_000);

  it('asks a Kakao account for a sign-in less than 10 minutes old, and says how to get one', async () => {
    const { tokens } = await kakaoSignIn();
    const sid = (jwt.decode(tokens.accessToken) as { sid: string }).sid;
    const redis = api.app.get<Redis>(REDIS_CLIENT);
    await redis.hset(api.app.get(AuthKeys).session(sid), 'createdAt', String(Date.now() - RECENT_SIGN_IN_MS - 1_000));
    const refused = await close(tokens.accessToken);
    expect(refused.status).toBe(403);
    const problem = await json(refused);
    expect(problem.code).toBe('REAUTHENTICATION_REQUIRED');
    expect(problem.detail).toMatch(/sign in again/i);
    expect((await row(tokens.user.id)).closed_at).toBeNull();
  });

  describe("Kakao's unlink callback", () => {
    const fire = (
      kakaoId: string,
      overrides: { adminKey?: string; appId?: number; referrerType?: KakaoStubUnlinkReferrer } = {},
    ) =>
      stub.fireUnlinkCallback({
        url: `${api.url}/api/v1/auth/kakao/unlink`,
        method: 'GET',
        userId: kakaoId,
        referrerType: overrides.referrerType ?? 'UNLINK_FROM_APPS',
        ...(overrides.adminKey ? { adminKey: overrides.adminKey } : {}),
        ...(overrides.appId ? { appId: overrides.appId } : {}),
      });

    it('refuses a wrong admin key and another app, and changes nothing', async () => {
      const { kakaoUser, tokens } = await kakaoSignIn();
      expect((await fire(kakaoUser.id, { adminKey: KAKAO_WRONG_ADMIN_KEY })).status).toBe(401);
      expect((await fire(kakaoUser.id, { appId: Number(KAKAO_DEFAULT_APP.appId) + 1 })).status).toBe(403);
      expect((await row(tokens.user.id)).kakao_id).toBe(kakaoUser.id);
      expect((await call(api, '/users/me', tokens.accessToken)).status).toBe(200);
    });

    it('closes a Kakao-only account, once however often it is delivered', async () => {
      const { kakaoUser, tokens } = await kakaoSignIn();
      expect((await fire(kakaoUser.id, { referrerType: 'ACCOUNT_DELETE' })).status).toBe(200);
      expect((await fire(kakaoUser.id, { referrerType: 'ACCOUNT_DELETE' })).status).toBe(200);
      expect(await row(tokens.user.id)).toMatchObject({ email: null, kakao_id: null, closed_at: expect.any(Date) });
      expect((await call(api, '/users/me', tokens.accessToken)).status).toBe(401);
      expect((await refresh(api, tokens.refreshToken)).status).toBe(401);
      // Kakao unlinked it already: Modak does not call unlink for it.
      expect((await stub.unlinks()).some((unlink) => unlink.userId === kakaoUser.id)).toBe(false);
    });

    it('keeps an account that has a verified email and a password, without its Kakao link', async () => {
      const user = await createUser(api);
      const { kakaoUser, tokens } = await kakaoSignIn(user.email);
      expect(tokens.user.id).toBe(user.id);
      expect((await fire(kakaoUser.id)).status).toBe(200);
      expect(await row(user.id)).toMatchObject({ email: user.email, kakao_id: null, closed_at: null });
      await login(api, user);
    });
  });
});
