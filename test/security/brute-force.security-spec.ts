import { createTestDatabase, query, type TestDatabase } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { startApi, testApiEnv, type TestApi } from '../support/api.js';
import { createPendingSignup, createUser, issueCode, login, PASSWORD, post, refresh } from '../support/auth.js';
import { json } from '../support/http.js';
import { problemFault } from './support/problem.js';
import { PasswordsService } from '../../apps/api/src/auth/email/passwords.service.js';
import { clientAddresses, fromAddress } from '../support/clients.js';

const MINUTE = 60_000;

/**
 * Guessing passwords, codes and refresh tokens (SECURITY.md "Numbers"), with the limits the api ships with: each
 * limit answers 429 problem+json with Retry-After once reached; and sign-in tells nobody which addresses have an
 * account, neither by its answer nor by its timing.
 */
describe('brute force and enumeration', () => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    // No overrides: these are the limits of a default deployment.
    api = await startApi(testApiEnv(database));
  });

  afterAll(async () => {
    await api?.close();
  });

  /** An address no other test uses, so that per-IP counters start at zero. */
  const freshIp = clientAddresses();
  const attempt = (email: string, password: string, ip: string) =>
    post(api, '/auth/login', { email, password }, fromAddress(ip));

  const expectLimited = async (response: Response, maxWindowMs: number) => {
    const text = await response.text();
    expect({ status: response.status, body: text.slice(0, 200) }).toMatchObject({ status: 429 });
    expect(problemFault(response, text)).toBeUndefined();
    expect(JSON.parse(text).code).toBe('RATE_LIMITED');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(maxWindowMs / 1000);
  };

  it('ships the limits SECURITY.md asks for', () => {
    const limits = api.config.auth.rateLimits;
    // "e.g. 10 failures in 15 min -> 429": at most that many, over at least that long.
    expect(limits.loginAccountIp.limit).toBeLessThanOrEqual(10);
    expect(limits.loginAccountIp.windowMs).toBeGreaterThanOrEqual(15 * MINUTE);
    expect(limits.loginIp.limit).toBeGreaterThanOrEqual(limits.loginAccountIp.limit);
    expect(limits.verifyEmail.limit).toBeLessThanOrEqual(10);
  });

  describe('password guessing', () => {
    it('locks an account out for the guessing address once its failures reach the limit, right password or not', async () => {
      const victim = await createUser(api);
      const attacker = freshIp();
      const { limit, windowMs } = api.config.auth.rateLimits.loginAccountIp;
      for (let guess = 0; guess < limit; guess += 1) {
        expect((await attempt(victim.email, `wrong-guess-${guess}`, attacker)).status).toBe(401);
      }
      await expectLimited(await attempt(victim.email, 'one-more-guess', attacker), windowMs);
      // The right password from the guessing address is refused too: a lucky guess would learn nothing.
      await expectLimited(await attempt(victim.email, PASSWORD, attacker), windowMs);
      // The owner, elsewhere, is not locked out.
      expect((await attempt(victim.email, PASSWORD, freshIp())).status).toBe(200);
    });

    it('limits one address guessing across many accounts', async () => {
      const sprayer = freshIp();
      const { limit, windowMs } = api.config.auth.rateLimits.loginIp;
      const someone = await createUser(api);
      // Password spraying: one guess per account, many accounts. Sent in batches: the counter is atomic.
      for (let start = 0; start < limit; start += 10) {
        const batch = Array.from({ length: Math.min(10, limit - start) }, (_, i) =>
          attempt(`sprayed-${start + i}@example.com`, 'Summer2024!', sprayer),
        );
        for (const response of await Promise.all(batch)) expect(response.status).toBe(401);
      }
      await expectLimited(await attempt(someone.email, 'Summer2024!', sprayer), windowMs);
      await expectLimited(await attempt(someone.email, PASSWORD, sprayer), windowMs);
    });
  });

  describe('verification codes', () => {
    const verify = (email: string, code: string, ip = freshIp()) =>
      post(api, '/auth/email/verify', { email, code, password: PASSWORD }, fromAddress(ip));
    const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    it('kills a code after 5 wrong tries: the right one no longer verifies', async () => {
      const pending = await createPendingSignup(api);
      const code = await issueCode(api, pending.email);
      for (let guess = 0; guess < 5; guess += 1) {
        const response = await verify(pending.email, wrongCode(code));
        expect(response.status).toBe(400);
        expect((await json(response)).code).toBe('INVALID_VERIFICATION_CODE');
      }
      const late = await verify(pending.email, code);
      expect(late.status).toBe(400);
      expect((await json(late)).code).toBe('INVALID_VERIFICATION_CODE');
      const rows = await query(database.primaryUrl, 'SELECT 1 FROM users WHERE lower(email) = lower($1)', [
        pending.email,
      ]);
      expect(rows).toHaveLength(0);
    });

    it('limits checks per address, from whatever addresses they come', async () => {
      const { limit, windowMs } = api.config.auth.rateLimits.verifyEmail;
      const email = `target-${randomUUID().slice(0, 8)}@example.com`;
      for (let guess = 0; guess < limit; guess += 1) {
        expect((await verify(email, String(guess).padStart(6, '0'))).status).toBe(400);
      }
      await expectLimited(await verify(email, '999999'), windowMs);
    });

    it('limits code resends per address', async () => {
      const { limit, windowMs } = api.config.auth.rateLimits.resendIp;
      const ip = freshIp();
      for (let n = 0; n < limit; n += 1) {
        expect((await post(api, '/auth/email/resend', { email: `r${n}@example.com` }, fromAddress(ip))).status).toBe(
          202,
        );
      }
      await expectLimited(
        await post(api, '/auth/email/resend', { email: 'one-more@example.com' }, fromAddress(ip)),
        windowMs,
      );
    });

    it('limits signups per address', async () => {
      const { limit, windowMs } = api.config.auth.rateLimits.signupIp;
      const ip = freshIp();
      const signup = (n: number) =>
        post(
          api,
          '/auth/signup',
          { email: `bulk-${n}-${ip.replaceAll('.', '-')}@example.com`, password: PASSWORD, nickname: 'bulk' },
          fromAddress(ip),
        );
      for (let n = 0; n < limit; n += 1) expect((await signup(n)).status).toBe(201);
      await expectLimited(await signup(limit), windowMs);
    });
  });

  describe('password reset codes', () => {
    const reset = (email: string, code: string, ip = freshIp()) =>
      post(api, '/auth/password/reset', { email, code, newPassword: 'amber-orchard-ferry-93' }, fromAddress(ip));
    const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

    it('kills a reset code after 5 wrong tries: the right one no longer sets the password', async () => {
      const user = await createUser(api);
      const code = await issueCode(api, user.email, 'reset');
      for (let guess = 0; guess < 5; guess += 1) {
        expect((await json(await reset(user.email, wrongCode(code)))).code).toBe('INVALID_VERIFICATION_CODE');
      }
      expect((await reset(user.email, code)).status).toBe(400);
      expect((await attempt(user.email, PASSWORD, freshIp())).status).toBe(200);
    });

    it('limits reset tries per address, from whatever addresses they come, and per client across addresses', async () => {
      const perAddress = api.config.auth.rateLimits.verifyEmail;
      const email = `reset-target-${randomUUID().slice(0, 8)}@example.com`;
      for (let guess = 0; guess < perAddress.limit; guess += 1) {
        expect((await reset(email, String(guess).padStart(6, '0'))).status).toBe(400);
      }
      await expectLimited(await reset(email, '999999'), perAddress.windowMs);

      const perClient = api.config.auth.rateLimits.verifyIp;
      const ip = freshIp();
      for (let n = 0; n < perClient.limit; n += 1) {
        expect((await reset(`reset-${n}-${randomUUID().slice(0, 6)}@example.com`, '123456', ip)).status).toBe(400);
      }
      await expectLimited(await reset('one-more@example.com', '123456', ip), perClient.windowMs);
    });

    it('limits forgot-password requests per client', async () => {
      const { limit, windowMs } = api.config.auth.rateLimits.resendIp;
      const ip = freshIp();
      for (let n = 0; n < limit; n += 1) {
        expect((await post(api, '/auth/password/forgot', { email: `f${n}@example.com` }, fromAddress(ip))).status).toBe(
          202,
        );
      }
      await expectLimited(
        await post(api, '/auth/password/forgot', { email: 'f-more@example.com' }, fromAddress(ip)),
        windowMs,
      );
    });
  });

  it('limits refreshes per session, with no-store on the refusal', async () => {
    const { limit, windowMs } = api.config.auth.rateLimits.refreshSession;
    let { refreshToken } = await login(api, await createUser(api));
    for (let n = 0; n < limit; n += 1) {
      const response = await refresh(api, refreshToken);
      expect(response.status).toBe(200);
      ({ refreshToken } = await json(response));
    }
    const refused = await refresh(api, refreshToken);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    await expectLimited(refused, windowMs);
  });

  describe('account enumeration', () => {
    /** The parts of an answer a client sees, minus the request id. */
    const answer = async (response: Response) => {
      const body = await response.text();
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        cacheControl: response.headers.get('cache-control'),
        setCookie: response.headers.get('set-cookie'),
        body: body.replace(/"requestId":"[^"]+"/, '"requestId":"-"'),
      };
    };

    it('answers a wrong password exactly as an unknown address, whatever the account state', async () => {
      const verified = await createUser(api);
      const unverified = await createPendingSignup(api);
      const banned = await createUser(api);
      await query(database.primaryUrl, 'UPDATE users SET banned_at = now() WHERE id = $1', [banned.id]);
      const unknown = await answer(await attempt(`nobody-${randomUUID()}@example.com`, 'wrong-password', freshIp()));
      expect(unknown).toMatchObject({ status: 401, setCookie: null });
      expect(unknown.body).toContain('INVALID_CREDENTIALS');
      for (const account of [verified, unverified, banned]) {
        expect(await answer(await attempt(account.email, 'wrong-password', freshIp()))).toEqual(unknown);
      }
    });

    it('answers a resend the same for an unknown, a verified and an unverified address', async () => {
      const verified = await createUser(api);
      const unverified = await createPendingSignup(api);
      const answers = [];
      for (const email of [`nobody-${randomUUID()}@example.com`, verified.email, unverified.email]) {
        answers.push(await answer(await post(api, '/auth/email/resend', { email }, fromAddress(freshIp()))));
      }
      expect(answers[0]).toMatchObject({ status: 202, body: '' });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it('answers a wrong code the same whether or not the address waits for its verification', async () => {
      const waiting = `waiting-${randomUUID()}@example.com`;
      const signup = await post(
        api,
        '/auth/signup',
        { email: waiting, password: PASSWORD, nickname: 'waiting' },
        fromAddress(freshIp()),
      );
      expect(signup.status).toBe(201);
      const answers = [];
      for (const email of [waiting, `nobody-${randomUUID()}@example.com`]) {
        answers.push(
          await answer(
            await post(
              api,
              '/auth/email/verify',
              { email, code: '000000', password: PASSWORD },
              fromAddress(freshIp()),
            ),
          ),
        );
      }
      expect(answers[0]).toMatchObject({ status: 400 });
      expect(answers[1]).toEqual(answers[0]);
    });

    it('answers a signup for an unverified address as for a new one (nobody can squat it)', async () => {
      const squatted = await createPendingSignup(api);
      const body = (email: string) => ({ email, password: PASSWORD, nickname: 'claimant' });
      const fresh = await post(
        api,
        '/auth/signup',
        body(`new-${randomUUID().slice(0, 8)}@example.com`),
        fromAddress(freshIp()),
      );
      const taken = await post(api, '/auth/signup', body(squatted.email), fromAddress(freshIp()));
      expect(fresh.status).toBe(201);
      expect(taken.status).toBe(fresh.status);
      expect(Object.keys((await json(taken)).user).sort()).toEqual(Object.keys((await json(fresh)).user).sort());
    });

    it('answers forgot-password alike, and as fast, for a registered and an unknown address', async () => {
      const forgot = async (email: string) => {
        const started = process.hrtime.bigint();
        const response = await post(api, '/auth/password/forgot', { email }, fromAddress(freshIp()));
        const body = await response.text();
        return { elapsed: Number(process.hrtime.bigint() - started) / 1e6, answer: `${response.status}|${body}` };
      };
      // Each sample asks for an address of its own, so that every one goes past the mail cool-down.
      const accounts: { email: string }[] = [];
      for (let i = 0; i < 31; i += 1) accounts.push(await createUser(api));
      const samples = { known: [] as number[], unknown: [] as number[] };
      const answers = new Set<string>();
      for (let round = 0; round < 31; round += 1) {
        const pair = [
          async () => forgot(accounts[round].email).then((r) => (answers.add(r.answer), samples.known.push(r.elapsed))),
          async () =>
            forgot(`ghost-${randomUUID().slice(0, 8)}@example.com`).then(
              (r) => (answers.add(r.answer), samples.unknown.push(r.elapsed)),
            ),
        ];
        for (const take of round % 2 ? pair : pair.reverse()) {
          await take();
          // What follows a known address's answer (its mail) is not left to slow the next sample down.
          await api.app.get(PasswordsService).settled();
        }
      }
      expect([...answers]).toEqual(['202|']);
      samples.known.shift();
      samples.unknown.shift();
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
      const gap = Math.abs(median(samples.known.map((value, i) => value - samples.unknown[i])));
      const report = `gap ${gap.toFixed(2)} ms (medians: known ${median(samples.known).toFixed(2)}, unknown ${median(samples.unknown).toFixed(2)})`;
      // A lookup, a code and an outbox row before the answer cost a known address about half as much again as the
      // answer itself; the bound is well below that (and above timer noise).
      expect(gap < Math.max(1.5, median(samples.unknown) / 5) ? 'alike' : report).toBe('alike');
    });

    it('takes as long to refuse an unknown address as a wrong password', async () => {
      const account = await createUser(api);
      const unknownEmail = () => `ghost-${randomUUID().slice(0, 8)}@example.com`;
      /** Milliseconds to an answer of `status`. */
      const time = async (status: number, email: string, password: string) => {
        const started = process.hrtime.bigint();
        const response = await attempt(email, password, freshIp());
        const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        expect(response.status).toBe(status);
        await response.arrayBuffer();
        return elapsed;
      };
      const samples = { baseline: [] as number[], existing: [] as number[], unknown: [] as number[] };
      const take = {
        // Refused by validation: the cost of a request that verifies no hash at all.
        baseline: async () => samples.baseline.push(await time(400, account.email, 'x'.repeat(129))),
        existing: async () => samples.existing.push(await time(401, account.email, 'wrong-password')),
        unknown: async () => samples.unknown.push(await time(401, unknownEmail(), 'wrong-password')),
      };
      // Warm both paths up (the dummy hash for unknown addresses is made on first use), then sample them interleaved,
      // rotating the order, so that changes in the machine's load fall on all three alike.
      await take.existing();
      await take.unknown();
      Object.values(samples).forEach((values) => values.splice(0));
      const order = [take.baseline, take.existing, take.unknown];
      for (let round = 0; round < 30; round += 1) {
        for (let i = 0; i < 3; i += 1) await order[(round + i) % 3]();
      }
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
      // What one argon2id verification costs here, and the gap between the two refusals, pair by pair.
      const hashCost = median(samples.existing) - median(samples.baseline);
      const gap = Math.abs(median(samples.existing.map((value, i) => value - samples.unknown[i])));
      const report = `hash ${hashCost.toFixed(1)} ms, gap ${gap.toFixed(1)} ms (medians: baseline ${median(samples.baseline).toFixed(1)}, existing ${median(samples.existing).toFixed(1)}, unknown ${median(samples.unknown).toFixed(1)})`;
      // An unknown address answered without hashing would leave a gap of about one hash; a fixed bound like 30 ms
      // would miss that where argon2id takes 10 ms, so the bound is half a hash (3 ms at least, for timer noise).
      expect(hashCost > 2 ? 'measurable' : report).toBe('measurable');
      expect(gap < Math.max(hashCost / 2, 3) ? 'alike' : report).toBe('alike');
    });
  });
});
