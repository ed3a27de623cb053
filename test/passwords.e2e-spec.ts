import { createTestDatabase, query, SmtpSink, type TestDatabase } from '@app/testing';
import { MailQueue } from '@app/queue';
import { randomUUID } from 'node:crypto';
import { AuthService } from '@api/auth';
import { UsersService } from '@api/users';
import { startApi, testApiEnv, type TestApi } from './support/api.js';
import {
  call,
  createKakaoUser,
  createUser,
  issueCode,
  login,
  PASSWORD,
  post,
  refresh,
  type TestUser,
} from './support/auth.js';
import { json } from './support/http.js';
import { startWorker, testWorkerEnv, type TestWorker } from './support/worker.js';
import { clientAddresses, fromAddress } from './support/clients.js';

const NEW_PASSWORD = 'amber-orchard-ferry-93';

describe('forgotten, reset and changed passwords', () => {
  let database: TestDatabase;
  let sink: SmtpSink;
  let worker: TestWorker;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    sink = await SmtpSink.start();
    worker = await startWorker(testWorkerEnv(database, { SMTP_URL: sink.url }));
    api = await startApi(testApiEnv(database));
  });

  afterAll(async () => {
    await api?.close();
    await worker?.close();
    await sink?.stop();
  });

  /** A request from a network of its own, so that per-network limits stay out of the way. */
  const nextClient = clientAddresses('198.19');
  const fresh = () => fromAddress(nextClient());
  const forgot = (email: string) => post(api, '/auth/password/forgot', { email }, fresh());
  const reset = (email: string, code: string, newPassword = NEW_PASSWORD) =>
    post(api, '/auth/password/reset', { email, code, newPassword }, fresh());
  const change = (accessToken: string, body: Record<string, unknown>) =>
    call(api, '/users/me/password', accessToken, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...fresh() },
      body: JSON.stringify(body),
    });
  const resetCode = async (email: string) => {
    const mail = await sink.waitFor((m) => m.to.includes(email) && m.subject.includes('재설정'));
    return /\b(\d{6})\b/.exec(mail.text)![1];
  };
  const noticeTo = (email: string) =>
    sink.waitFor((m) => m.to.includes(email) && m.subject.includes('your password was changed'));
  const passwordWorks = async (user: TestUser, password: string) =>
    (await post(api, '/auth/login', { email: user.email, password }, fresh())).status === 200;

  describe('forgot', () => {
    it('answers 202 alike for every address, and mails only a verified account: a code, or the way in with Kakao', async () => {
      const withPassword = await createUser(api);
      const kakaoOnly = await createKakaoUser(api);
      const unknown = `nobody-${randomUUID().slice(0, 8)}@example.com`;
      const answers = await Promise.all([withPassword.email, kakaoOnly.email, unknown].map((email) => forgot(email)));
      for (const answer of answers) {
        expect(answer.status).toBe(202);
        expect(await answer.text()).toBe('');
      }
      expect(await resetCode(withPassword.email)).toMatch(/^\d{6}$/);
      const kakao = await sink.waitFor((m) => m.to.includes(kakaoOnly.email));
      expect(kakao.subject).toContain('sign in with Kakao');
      expect(kakao.text).not.toMatch(/\b\d{6}\b/);
      // Nothing for the unknown address, once the others have gone out.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sink.to(unknown)).toEqual([]);
    });

    it('shares the mail cool-down with signup and resend: one mail a minute per address', async () => {
      const user = await createUser(api);
      expect((await forgot(user.email)).status).toBe(202);
      await resetCode(user.email);
      expect((await forgot(user.email)).status).toBe(202);
      expect((await post(api, '/auth/email/resend', { email: user.email }, fresh())).status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(sink.to(user.email)).toHaveLength(1);
    });

    it('keeps the code out of the outbox table and the queue: only the mail carries it', async () => {
      const user = await createUser(api);
      await forgot(user.email);
      const code = await resetCode(user.email);
      const rows = await query<{ payload: unknown }>(database.primaryUrl, 'SELECT payload FROM outbox');
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(JSON.stringify(row.payload)).not.toContain(code);
      const jobs = await api.app.get(MailQueue).queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
      expect(jobs.length).toBeGreaterThan(0);
      for (const job of jobs) expect(JSON.stringify(job.data)).not.toContain(code);
    });
  });

  describe('reset', () => {
    it('sets the password, ends every session and access token at once, mails a notice, and takes a code once', async () => {
      const user = await createUser(api);
      const otherDevice = await login(api, user);
      await forgot(user.email);
      const code = await resetCode(user.email);

      const answer = await reset(user.email, code);
      expect(answer.status).toBe(204);
      expect(answer.headers.get('set-cookie')).toContain('modak_device=');
      expect((await call(api, '/users/me', otherDevice.accessToken)).status).toBe(401);
      expect((await refresh(api, otherDevice.refreshToken)).status).toBe(401);
      expect(await passwordWorks(user, PASSWORD)).toBe(false);
      expect(await passwordWorks(user, NEW_PASSWORD)).toBe(true);
      expect((await noticeTo(user.email)).text).toContain('changed');

      const again = await reset(user.email, code, 'another-fine-password-7');
      expect(again.status).toBe(400);
      expect((await json(again)).code).toBe('INVALID_VERIFICATION_CODE');
      expect(await passwordWorks(user, NEW_PASSWORD)).toBe(true);
    });

    it('refuses a common password without using the code up, and a verification code for a reset', async () => {
      const user = await createUser(api);
      const code = await issueCode(api, user.email, 'reset');
      const common = await reset(user.email, code, 'password123');
      expect(common.status).toBe(400);
      expect((await json(common)).errors).toEqual([expect.objectContaining({ field: 'newPassword' })]);
      const verifyCode = await issueCode(api, user.email, 'verify');
      expect((await reset(user.email, verifyCode)).status).toBe(400);
      expect((await reset(user.email, code)).status).toBe(204);
    });

    it('sets nothing for an account without a password, whatever the code', async () => {
      const kakaoOnly = await createKakaoUser(api);
      const code = await issueCode(api, kakaoOnly.email, 'reset');
      expect((await json(await reset(kakaoOnly.email, code))).code).toBe('INVALID_VERIFICATION_CODE');
      const [row] = await query<{ password_hash: string | null }>(
        database.primaryUrl,
        'SELECT password_hash FROM users WHERE id = $1',
        [kakaoOnly.id],
      );
      expect(row.password_hash).toBeNull();
    });
  });

  describe('change', () => {
    it('needs the current password, ends every other session, keeps this one, and mails a notice', async () => {
      const user = await createUser(api);
      const here = await login(api, user);
      const elsewhere = await login(api, user);

      const wrong = await change(here.accessToken, { currentPassword: 'not-the-password', newPassword: NEW_PASSWORD });
      expect(wrong.status).toBe(403);
      expect((await json(wrong)).code).toBe('WRONG_PASSWORD');
      expect((await call(api, '/users/me', elsewhere.accessToken)).status).toBe(200);

      const changed = await change(here.accessToken, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
      expect(changed.status).toBe(204);
      expect((await call(api, '/users/me', elsewhere.accessToken)).status).toBe(401);
      expect((await refresh(api, elsewhere.refreshToken)).status).toBe(401);
      expect((await call(api, '/users/me', here.accessToken)).status).toBe(200);
      expect((await refresh(api, here.refreshToken)).status).toBe(200);
      expect(await passwordWorks(user, PASSWORD)).toBe(false);
      expect(await passwordWorks(user, NEW_PASSWORD)).toBe(true);
      expect((await noticeTo(user.email)).text).toContain('198.19.');
    });

    it('counts a wrong current password against the login limits', async () => {
      const user = await createUser(api);
      const { accessToken } = await login(api, user);
      const { limit } = api.config.auth.rateLimits.loginAccountIp;
      const from = { 'x-forwarded-for': '198.51.100.77', 'content-type': 'application/json' };
      const attempt = (currentPassword: string) =>
        call(api, '/users/me/password', accessToken, {
          method: 'POST',
          headers: from,
          body: JSON.stringify({ currentPassword, newPassword: NEW_PASSWORD }),
        });
      for (let i = 0; i < limit; i += 1) expect((await attempt(`wrong-${i}`)).status).toBe(403);
      const limited = await attempt(PASSWORD);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBeTruthy();
      // The same network's login for the account is held back too.
      const signIn = await post(api, '/auth/login', { email: user.email, password: PASSWORD }, from);
      expect(signIn.status).toBe(429);
    });

    it('answers 409 for an account that signs in with Kakao only', async () => {
      const kakaoOnly = await createKakaoUser(api);
      const tokens = await api.app
        .get(AuthService)
        .signIn((await api.app.get(UsersService).findByIdForAccess(kakaoOnly.id))!, {
          ip: '127.0.0.1',
          network: '127.0.0.1',
          userAgent: 'test',
        });
      const answer = await change(tokens.accessToken, { currentPassword: 'anything', newPassword: NEW_PASSWORD });
      expect(answer.status).toBe(409);
      expect((await json(answer)).detail).toContain('Kakao');
    });
  });
});
