import { Role } from '@app/core';
import { createTestDatabase, query, SmtpSink, type TestDatabase } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { startApi, TEST_SPA_ORIGIN, testApiEnv, type TestApi } from './support/api.js';
import { REDIS_CLIENT } from '@app/redis';
import type { Redis } from 'ioredis';
import { addressDigest, AuthKeys } from '../apps/api/src/auth/auth.keys.js';
import { PENDING_SIGNUPS_MAX } from '../apps/api/src/auth/auth.constants.js';
import {
  call,
  createPendingSignup,
  createUser,
  login,
  mailedCode,
  PASSWORD,
  post,
  refresh,
  type TestUser,
} from './support/auth.js';
import { eventually, json } from './support/http.js';
import { startWorker, testWorkerEnv, type TestWorker } from './support/worker.js';
import { clientAddresses, fromAddress } from './support/clients.js';

describe('email sign-up, sign-in, refresh and sign-out', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let worker: TestWorker;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    worker = await startWorker(testWorkerEnv(database, { SMTP_URL: sink.url }));
    api = await startApi(testApiEnv(database, { ADMIN_EMAILS: 'boss@example.com' }));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await sink?.stop();
  });

  const email = () => `new-${randomUUID().slice(0, 8)}@example.com`;
  const nextClient = clientAddresses('198.18');
  /** A signup from a network of its own, so that the per-network signup limit stays out of these tests. */
  const signup = (body: Record<string, unknown>) => post(api, '/auth/signup', body, fromAddress(nextClient()));

  it('walks signup -> mailed code -> verify (signed in) -> login -> refresh -> logout', async () => {
    const address = email();
    const signedUp = await signup({ email: address, password: PASSWORD, nickname: '다연' });
    expect(signedUp.status).toBe(201);
    const { user } = await json(signedUp);
    expect(user).toMatchObject({
      email: address,
      nickname: '다연',
      role: 'USER',
      emailVerified: false,
      provider: 'email',
    });
    expect(user).not.toHaveProperty('passwordHash');

    const beforeVerify = await post(api, '/auth/login', { email: address, password: PASSWORD });
    expect(beforeVerify.status).toBe(403);
    expect((await json(beforeVerify)).code).toBe('EMAIL_NOT_VERIFIED');

    const code = await mailedCode(sink, address);
    const verify = await post(api, '/auth/email/verify', { email: address, code, password: PASSWORD });
    expect(verify.status).toBe(200);
    expect(verify.headers.get('cache-control')).toBe('no-store');
    const verified = await json(verify);
    expect(verified).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 30 * 24 * 3600 });
    // The account is the one the signup announced, now proven, and the verification signed it in.
    expect(verified.user).toMatchObject({ id: user.id, email: address, emailVerified: true, nickname: '다연' });
    expect(verify.headers.get('set-cookie')).toContain(`modak_rt=${verified.refreshToken}`);
    expect((await json(await call(api, '/users/me', verified.accessToken))).id).toBe(user.id);

    const signIn = await post(api, '/auth/login', { email: address.toUpperCase(), password: PASSWORD });
    expect(signIn.status).toBe(200);
    expect(signIn.headers.get('cache-control')).toBe('no-store');
    const tokens = await json(signIn);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, refreshExpiresIn: 30 * 24 * 3600 });
    expect(tokens.user).toMatchObject({ id: user.id, emailVerified: true });
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toContain(`modak_rt=${tokens.refreshToken}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toContain('Path=/api/v1/auth');

    const me = await call(api, '/users/me', tokens.accessToken);
    expect(me.status).toBe(200);
    expect((await json(me)).id).toBe(user.id);

    const rotated = await refresh(api, tokens.refreshToken);
    expect(rotated.status).toBe(200);
    const next = await json(rotated);
    expect(next.refreshToken).not.toBe(tokens.refreshToken);

    const logout = await call(api, '/auth/logout', next.accessToken, { method: 'POST' });
    expect(logout.status).toBe(204);
    expect((await call(api, '/users/me', next.accessToken)).status).toBe(401);
    expect((await refresh(api, next.refreshToken)).status).toBe(401);
  });

  it('refuses a signup that tries to set its role, and creates nobody', async () => {
    const address = email();
    const response = await signup({
      email: address,
      password: PASSWORD,
      nickname: 'x',
      role: 'ADMIN',
    });
    expect(response.status).toBe(400);
    expect((await json(response)).errors).toEqual([expect.objectContaining({ field: 'role' })]);
    expect((await post(api, '/auth/login', { email: address, password: PASSWORD })).status).toBe(401);
  });

  it('refuses common and short passwords, and a taken email', async () => {
    const common = await signup({ email: email(), password: 'password123', nickname: 'x' });
    expect(common.status).toBe(400);
    expect((await json(common)).errors[0].field).toBe('password');
    const short = await signup({ email: email(), password: 'a1b2c3', nickname: 'x' });
    expect(short.status).toBe(400);
    const existing = await createUser(api);
    const taken = await signup({
      email: existing.email.toUpperCase(),
      password: PASSWORD,
      nickname: 'x',
    });
    expect(taken.status).toBe(409);
    expect((await json(taken)).code).toBe('EMAIL_TAKEN');
  });

  describe('an address someone else signs up for too (pre-account takeover)', () => {
    const codesTo = (address: string) => sink.to(address).map((mail) => /\b(\d{6})\b/.exec(mail.text)![1]);
    /** Lets the address's mail cool-down pass, as a minute would. */
    const coolDown = async (address: string) => {
      await api.app.get<Redis>(REDIS_CLIENT).del(api.app.get(AuthKeys).resendCooldown(addressDigest(address)));
    };
    const verify = (address: string, code: string, password: string) =>
      post(api, '/auth/email/verify', { email: address, code, password });
    const ownerPassword = 'owner-harbor-lantern-7';
    const squatterPassword = 'squatter-password-1';

    it('owner first: a later signup neither replaces the password nor kills the code, and cannot be proven', async () => {
      const address = email();
      const owner = await signup({ email: address, password: ownerPassword, nickname: 'owner' });
      const ownerCode = await mailedCode(sink, address);
      // The squatter signs up twice: once within the cool-down (no mail), once after it (a second code, which the
      // squatter cannot read either).
      const early = await signup({ email: address, password: squatterPassword, nickname: 'sq' });
      await coolDown(address);
      const late = await signup({ email: address, password: squatterPassword, nickname: 'sq' });
      await sink.waitFor(() => sink.to(address).length === 2);
      expect([owner.status, early.status, late.status]).toEqual([201, 201, 201]);

      // The owner's password still answers as the owner's, and the owner's first code still proves the address.
      expect((await json(await post(api, '/auth/login', { email: address, password: ownerPassword }))).code).toBe(
        'EMAIL_NOT_VERIFIED',
      );
      const signedIn = await verify(address, ownerCode, ownerPassword);
      expect(signedIn.status).toBe(200);
      const tokens = await json(signedIn);
      expect(tokens.user).toMatchObject({ id: (await json(owner)).user.id, nickname: 'owner', emailVerified: true });

      // The squatter's signups went with the proof: no code and no password of theirs opens the account.
      for (const code of codesTo(address)) expect((await verify(address, code, squatterPassword)).status).toBe(400);
      expect((await post(api, '/auth/login', { email: address, password: squatterPassword })).status).toBe(401);
      await login(api, { email: address, password: ownerPassword });
    });

    it('squatter first: the owner proves the address with their own password, even with the code the squatter caused', async () => {
      const squatter = await signup({
        email: 'boss@example.com',
        password: squatterPassword,
        nickname: 'x',
      });
      expect((await json(squatter)).user.role).toBe('USER');
      const squatterCode = await mailedCode(sink, 'boss@example.com');
      // The owner signs up within the cool-down: no second mail, and the squatter's signup is untouched.
      const owner = await signup({ email: 'Boss@Example.com', password: PASSWORD, nickname: 'boss' });
      expect(owner.status).toBe(201);
      const promised = (await json(owner)).user;
      expect(promised).toMatchObject({ role: 'USER', nickname: 'boss' });
      expect(sink.to('boss@example.com')).toHaveLength(1);

      // The one code in the owner's mailbox, with the owner's password: the owner's signup, and ADMIN_EMAILS applies.
      const proven = await verify('boss@example.com', squatterCode, PASSWORD);
      expect(proven.status).toBe(200);
      const tokens = await json(proven);
      expect(tokens.user).toMatchObject({ id: promised.id, nickname: 'boss', role: 'ADMIN' });
      expect((await json(await call(api, '/users/me', tokens.accessToken))).role).toBe('ADMIN');
      expect((await post(api, '/auth/login', { email: 'boss@example.com', password: squatterPassword })).status).toBe(
        401,
      );
      const again = await signup({ email: 'boss@example.com', password: PASSWORD, nickname: 'x' });
      expect((await json(again)).code).toBe('EMAIL_TAKEN');
    });

    it('keeps the code live through a wrong password, and proves nothing without a matching signup', async () => {
      const address = email();
      await signup({ email: address, password: ownerPassword, nickname: 'owner' });
      const code = await mailedCode(sink, address);
      const mistyped = await verify(address, code, 'owner-harbor-lantern-8');
      expect(mistyped.status).toBe(400);
      expect((await json(mistyped)).code).toBe('INVALID_VERIFICATION_CODE');
      expect((await verify(address, code, ownerPassword)).status).toBe(200);
      // Single use: the same proof again finds nothing.
      expect((await verify(address, code, ownerPassword)).status).toBe(400);
    });

    it('keeps at most a few signups per address, and never pushes one out for another', async () => {
      const address = email();
      const passwords = Array.from({ length: PENDING_SIGNUPS_MAX + 1 }, (_, i) => `pending-password-${i}-x`);
      for (const password of passwords) {
        expect((await signup({ email: address, password, nickname: 'p' })).status).toBe(201);
      }
      const keptAnswer = async (password: string) =>
        (await json(await post(api, '/auth/login', { email: address, password }))).code;
      // The first ones are kept as they were; the one past the bound was not kept, and pushed none out.
      for (const password of passwords.slice(0, PENDING_SIGNUPS_MAX)) {
        expect(await keptAnswer(password)).toBe('EMAIL_NOT_VERIFIED');
      }
      expect(await keptAnswer(passwords[PENDING_SIGNUPS_MAX])).toBe('INVALID_CREDENTIALS');
    });
  });

  describe('mail and answers of signup and resend (flooding, enumeration)', () => {
    it('mails one code per cool-down across signup and resend, and answers a pending address as a new one', async () => {
      const address = email();
      const first = await signup({ email: address, password: PASSWORD, nickname: 'same' });
      await mailedCode(sink, address);
      const second = await signup({ email: address, password: `${PASSWORD}-2`, nickname: 'same' });
      expect((await post(api, '/auth/email/resend', { email: address })).status).toBe(202);
      const fresh = await signup({ email: email(), password: PASSWORD, nickname: 'same' });
      expect([first.status, second.status, fresh.status]).toEqual([201, 201, 201]);

      // No second mail within the cool-down, whichever route asked.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sink.to(address)).toHaveLength(1);
      // The second signup of the address tells nothing of the first: its own id, its own time, the same shape.
      const [one, two, other] = await Promise.all([first, second, fresh].map(async (r) => (await json(r)).user));
      expect(two.id).not.toBe(one.id);
      expect(new Date(two.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(one.createdAt).getTime());
      const shape = (user: Record<string, unknown>) => ({ ...user, id: '-', email: '-', createdAt: '-' });
      expect(shape(two)).toEqual(shape(other));
    });
  });

  it('answers a wrong email and a wrong password alike', async () => {
    const user = await createUser(api);
    const wrongPassword = await post(api, '/auth/login', { email: user.email, password: 'not-the-password' });
    const wrongEmail = await post(api, '/auth/login', { email: `x${user.email}`, password: PASSWORD });
    const unverified = await createPendingSignup(api);
    const wrongPasswordUnverified = await post(api, '/auth/login', { email: unverified.email, password: 'nope-nope' });
    const bodies = await Promise.all([wrongPassword, wrongEmail, wrongPasswordUnverified].map((r) => json(r)));
    expect([wrongPassword.status, wrongEmail.status, wrongPasswordUnverified.status]).toEqual([401, 401, 401]);
    expect(new Set(bodies.map((b) => `${b.code}|${b.detail}`)).size).toBe(1);
    expect(bodies[0].code).toBe('INVALID_CREDENTIALS');
  });

  it('kills a code after five wrong tries, and accepts 202 for unknown addresses on resend', async () => {
    const address = email();
    await signup({ email: address, password: PASSWORD, nickname: 'x' });
    const code = await mailedCode(sink, address);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      const attempt = await post(api, '/auth/email/verify', { email: address, code: wrong, password: PASSWORD });
      expect((await json(attempt)).code).toBe('INVALID_VERIFICATION_CODE');
    }
    const late = await post(api, '/auth/email/verify', { email: address, code, password: PASSWORD });
    expect(late.status).toBe(400);
    expect((await json(late)).detail).toMatch(/expired|used up/);
    expect((await post(api, '/auth/email/resend', { email: email() })).status).toBe(202);
  });

  it('refreshes through the cookie alone, from the SPA origin only', async () => {
    const tokens = await login(api, await createUser(api));
    const withCookie = (origin?: string) =>
      fetch(`${api.url}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { cookie: `modak_rt=${tokens.refreshToken}`, ...(origin && { origin }) },
      });
    // A sibling subdomain's page, or a request naming no origin, cannot spend the cookie: it stays as it was.
    for (const origin of ['https://evil.example', 'http://spa.modak.test.evil.example', 'null', undefined]) {
      const refused = await withCookie(origin);
      expect(refused.status).toBe(403);
      expect((await json(refused)).code).toBe('FORBIDDEN_ORIGIN');
    }
    const response = await withCookie(TEST_SPA_ORIGIN);
    expect(response.status).toBe(200);
    // A token in the body is no cookie: any origin may present it.
    const rotated = await json(response);
    const byBody = await post(
      api,
      '/auth/refresh',
      { refreshToken: rotated.refreshToken },
      { origin: 'https://evil.example' },
    );
    expect(byBody.status).toBe(200);
  });

  it('gives 20 concurrent refreshes of one token the same successor and keeps the login alive', async () => {
    const tokens = await login(api, await createUser(api));
    const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(api, tokens.refreshToken)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const successors = new Set((await Promise.all(answers.map((a) => json(a)))).map((body) => body.refreshToken));
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    expect((await refresh(api, successor)).status).toBe(200);
  });

  it('ends the whole login when a rotated token comes back after its successor rotated (RT1 -> RT2 -> RT3, RT1)', async () => {
    const first = await login(api, await createUser(api));
    const second = await json(await refresh(api, first.refreshToken));
    const third = await json(await refresh(api, second.refreshToken));
    const reuse = await refresh(api, first.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.headers.get('cache-control')).toBe('no-store');
    expect((await json(reuse)).code).toBe('TOKEN_REUSED');
    expect((await refresh(api, third.refreshToken)).status).toBe(401);
    expect((await call(api, '/users/me', third.accessToken)).status).toBe(401);
  });

  it('lists sessions with the current one marked, ends another, and logs out everywhere', async () => {
    const user = await createUser(api);
    const phone = await login(api, user);
    const laptop = await login(api, user);
    const sessions = await json(await call(api, '/auth/sessions', laptop.accessToken));
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const phoneSession = sessions.find((s: { current: boolean }) => !s.current);
    expect(
      (await call(api, `/auth/sessions/${phoneSession.id}`, laptop.accessToken, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await refresh(api, phone.refreshToken)).status).toBe(401);
    expect((await call(api, `/auth/sessions/${randomUUID()}`, laptop.accessToken, { method: 'DELETE' })).status).toBe(
      404,
    );

    const tablet = await login(api, user);
    expect((await call(api, '/auth/logout-all', laptop.accessToken, { method: 'POST' })).status).toBe(204);
    expect((await call(api, '/users/me', tablet.accessToken)).status).toBe(401);
    expect((await refresh(api, tablet.refreshToken)).status).toBe(401);
  });

  it('keeps USER away from /admin and lets ADMIN ban: the banned user is out on the very next request', async () => {
    const admin = await createUser(api, { role: Role.Admin });
    const member = await createUser(api);
    const adminTokens = await login(api, admin);
    const memberTokens = await login(api, member);

    const forbidden = await call(api, '/admin/users', memberTokens.accessToken);
    expect(forbidden.status).toBe(403);
    expect((await json(forbidden)).code).toBe('FORBIDDEN');

    const list = await json(await call(api, `/admin/users?q=${member.email.slice(0, 10)}`, adminTokens.accessToken));
    expect(list.items.map((u: { id: string }) => u.id)).toEqual([member.id]);
    expect(list.meta).toEqual({ page: 1, perPage: 20, total: 1, totalPages: 1, hasNext: false });

    const ban = await call(api, `/admin/users/${member.id}/ban`, adminTokens.accessToken, { method: 'POST' });
    expect(ban.status).toBe(200);
    expect((await json(ban)).bannedAt).toEqual(expect.any(String));
    expect((await call(api, '/users/me', memberTokens.accessToken)).status).toBe(401);
    expect((await refresh(api, memberTokens.refreshToken)).status).toBe(401);
    const bannedLogin = await post(api, '/auth/login', { email: member.email, password: PASSWORD });
    expect((await json(bannedLogin)).code).toBe('ACCOUNT_BANNED');

    await call(api, `/admin/users/${member.id}/unban`, adminTokens.accessToken, { method: 'POST' });
    expect((await post(api, '/auth/login', { email: member.email, password: PASSWORD })).status).toBe(200);
  });

  it('lists users for an admin by keyset cursor too, each once', async () => {
    const admin = await login(api, await createUser(api, { role: Role.Admin }));
    const created: TestUser[] = [];
    for (let i = 0; i < 3; i += 1)
      created.push(await createUser(api, { email: `cursor-${i}-${Date.now()}@example.com` }));
    // Written behind the api's back (no client position to read them by): listed once the replica has them.
    await eventually(async () => {
      const rows = await query(database.replicaUrl, 'SELECT 1 FROM users WHERE id = ANY($1)', [
        created.map((u) => u.id),
      ]);
      return rows.length === created.length;
    });
    const seen: string[] = [];
    const pageAfter = (cursor: string | null) =>
      call(api, `/admin/users?q=cursor-&limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin.accessToken);
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; meta: { nextCursor: string | null } } = await json(
        await pageAfter(cursor),
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((user) => user.id));
      cursor = page.meta.nextCursor;
    } while (cursor);
    expect(seen).toEqual(created.map((user) => user.id).reverse());
  });

  it('demoting an admin ends their admin access at once', async () => {
    const boss = await createUser(api, { role: Role.Admin });
    const deputy = await createUser(api, { role: Role.Admin });
    const bossTokens = await login(api, boss);
    const deputyTokens = await login(api, deputy);
    const demote = await call(api, `/admin/users/${deputy.id}/role`, bossTokens.accessToken, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'USER' }),
    });
    expect((await json(demote)).role).toBe('USER');
    expect((await call(api, '/admin/users', deputyTokens.accessToken)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await login(api, deputy);
    expect((await call(api, '/admin/users', again.accessToken)).status).toBe(403);
  });

  it('changes only the nickname through PATCH /users/me', async () => {
    const tokens = await login(api, await createUser(api));
    const patch = (body: unknown) =>
      call(api, '/users/me', tokens.accessToken, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await json(await patch({ nickname: ' 모닥불 ' }))).nickname).toBe('모닥불');
    expect((await patch({ nickname: 'x', role: 'ADMIN' })).status).toBe(400);
    expect((await json(await call(api, '/users/me', tokens.accessToken))).role).toBe('USER');
  });

  it('rate-limits failed logins per account and IP with Retry-After', async () => {
    const user = await createUser(api);
    const limit = api.config.auth.rateLimits.loginAccountIp.limit;
    for (let i = 0; i < limit; i += 1) {
      expect((await post(api, '/auth/login', { email: user.email, password: `wrong-${i}` })).status).toBe(401);
    }
    const blocked = await post(api, '/auth/login', { email: user.email, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect((await json(blocked)).code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
