import { query } from '@app/testing';
import { randomUUID } from 'node:crypto';
import { PasswordHasher } from '../../apps/api/src/auth/email/password.hasher.js';
import { PASSWORD, type Tokens } from './auth.js';

export interface Account {
  id: string;
  email: string;
  password: string;
}

let passwordHash: Promise<string> | undefined;

/**
 * Verified accounts written straight to the database at `primaryUrl`, for apis that run as processes of their own (no
 * app object to borrow a repository from). They share one argon2id hash of PASSWORD, made with the api's hasher.
 */
export async function createAccounts(primaryUrl: string, count: number): Promise<Account[]> {
  passwordHash ??= new PasswordHasher().hash(PASSWORD);
  const hash = await passwordHash;
  const accounts: Account[] = [];
  for (let i = 0; i < count; i += 1) {
    const email = `member-${randomUUID().slice(0, 8)}@example.com`;
    const [row] = await query<{ id: string }>(
      primaryUrl,
      `INSERT INTO users (email, password_hash, nickname, email_verified_at) VALUES ($1, $2, $3, now()) RETURNING id`,
      [email, hash, `nick-${email.slice(7, 15)}`],
    );
    accounts.push({ id: row.id, email, password: PASSWORD });
  }
  return accounts;
}

/** Signs in at the api (or load balancer) at `baseUrl`; throws unless it answers 200. */
export async function signIn(
  baseUrl: string,
  account: Pick<Account, 'email' | 'password'>,
  headers: Record<string, string> = {},
): Promise<Tokens> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Tokens;
}
