import { Role } from '@app/core';
import { FIXTURE_PASSWORD, type SmtpSink, type UserFixtureOptions } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { EmailCodeStore, type CodePurpose } from '../../apps/api/src/auth/email/email-code.store.js';
import { PendingSignupStore } from '../../apps/api/src/auth/email/pending-signup.store.js';
import type { TestApi } from './api.js';
import { fixturesOf, hashPassword } from './fixtures.js';
import { json } from './http.js';

export const PASSWORD = FIXTURE_PASSWORD;

/** A user who signs in with an address and a password. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
}

export type TestUserOptions = Omit<UserFixtureOptions, 'email' | 'password'> & {
  email?: string;
  password?: string;
  /** False when the api's replica is paused or stopped: the user is then on the primary only. */
  awaitReplica?: boolean;
};

/** A verified member (unless told otherwise) with {@link PASSWORD}, made by the user factory in the api's database. */
export async function createUser(api: TestApi, options: TestUserOptions = {}): Promise<TestUser> {
  const { awaitReplica, ...user } = options;
  const made = await fixturesOf(api, { awaitReplica }).users.create(user);
  // Not null: the options above allow neither a null address nor a null password.
  return { id: made.id, email: made.email!, password: made.password!, role: made.role };
}

/** An account that signs in with Kakao only (no password), with a verified address. */
export async function createKakaoUser(
  api: TestApi,
  options: { email?: string; kakaoId?: string } = {},
): Promise<Omit<TestUser, 'password'> & { kakaoId: string }> {
  const kakaoId = options.kakaoId ?? String(4_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
  const email = options.email ?? `kakao-${randomUUID().slice(0, 8)}@example.com`;
  const user = await fixturesOf(api).users.create({ email, password: null, kakaoId, nickname: 'kakao-friend' });
  return { id: user.id, email, role: user.role, kakaoId };
}

/** A signup waiting for its address, through the api's own store and password hash (no mail): the account it would become. */
export async function createPendingSignup(
  api: TestApi,
  options: { email?: string; password?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `pending-${randomUUID().slice(0, 8)}@example.com`;
  const password = options.password ?? PASSWORD;
  const id = randomUUID();
  const kept = await api.app.get(PendingSignupStore).add(email, {
    id,
    passwordHash: await hashPassword(password),
    nickname: 'pending',
    createdAt: new Date(),
  });
  if (!kept) throw new Error(`the signups of ${email} are full`);
  return { id, email, password, role: Role.User };
}

/** A live code for `email`, as a mail would carry it. */
export async function issueCode(api: TestApi, email: string, purpose: CodePurpose = 'verify'): Promise<string> {
  const code = await api.app.get(EmailCodeStore).issue(purpose, email);
  if (code === undefined) throw new Error(`${email} already holds the most live codes`);
  return code;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

export const post = (api: TestApi, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}/api/v1${path}`, {
    method: 'POST',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

export const call = (api: TestApi, path: string, accessToken?: string, init: RequestInit = {}) =>
  fetch(`${api.url}/api/v1${path}`, {
    ...init,
    headers: { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...(init.headers ?? {}) },
  });

/** Signs `user` in with its address and password (a made user without either is refused, as the api would). */
export async function login(api: TestApi, user: { email: string | null; password: string | null }): Promise<Tokens> {
  const response = await post(api, '/auth/login', { email: user.email, password: user.password });
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return json<Tokens>(response);
}

export const refresh = (api: TestApi, refreshToken: string) => post(api, '/auth/refresh', { refreshToken });

/** The 6-digit code of the latest verification mail to `email`. */
export async function mailedCode(sink: SmtpSink, email: string): Promise<string> {
  const mail = await sink.waitFor((m) => m.to.includes(email) && m.subject.includes('인증 코드'));
  return /\b(\d{6})\b/.exec(mail.text)![1];
}
