import { Role } from '@app/core';
import type { SmtpSink } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { EmailCodeStore, type CodePurpose } from '../../apps/api/src/auth/email/email-code.store.js';
import { PasswordHasher } from '../../apps/api/src/auth/email/password.hasher.js';
import { PendingSignupStore } from '../../apps/api/src/auth/email/pending-signup.store.js';
import { UsersService } from '@api/users';
import type { TestApi } from './api.js';
import { json } from './http.js';

export const PASSWORD = 'quiet-harbor-lantern-42';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: Role;
}

/** A verified user straight in the database through the api's own repository and hasher. */
export async function createUser(api: TestApi, options: { role?: Role; email?: string } = {}): Promise<TestUser> {
  const email = options.email ?? `user-${randomUUID().slice(0, 8)}@example.com`;
  const role = options.role ?? Role.User;
  const user = await api.app.get(UsersService).create({
    email,
    passwordHash: await api.app.get(PasswordHasher).hash(PASSWORD),
    nickname: `nick-${email.slice(5, 13)}`,
    role,
    emailVerifiedAt: new Date(),
  });
  return { id: user.id, email, password: PASSWORD, role };
}

/** An account that signs in with Kakao only (no password), with a verified email unless told otherwise. */
export async function createKakaoUser(
  api: TestApi,
  options: { email?: string | null; kakaoId?: string } = {},
): Promise<TestUser & { kakaoId: string }> {
  const email = options.email === undefined ? `kakao-${randomUUID().slice(0, 8)}@example.com` : options.email;
  const kakaoId = options.kakaoId ?? String(4_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
  const user = await api.app.get(UsersService).create({
    email,
    passwordHash: null,
    nickname: 'kakao-friend',
    role: Role.User,
    emailVerifiedAt: email === null ? null : new Date(),
    kakaoId,
  });
  return { id: user.id, email: email ?? '', password: '', role: Role.User, kakaoId };
}

/** A signup waiting for its address, through the api's own store and hasher (no mail): the account it would become. */
export async function createPendingSignup(
  api: TestApi,
  options: { email?: string; password?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `pending-${randomUUID().slice(0, 8)}@example.com`;
  const password = options.password ?? PASSWORD;
  const id = randomUUID();
  const kept = await api.app.get(PendingSignupStore).add(email, {
    id,
    passwordHash: await api.app.get(PasswordHasher).hash(password),
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

export async function login(api: TestApi, user: Pick<TestUser, 'email' | 'password'>): Promise<Tokens> {
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
