import { fixtures } from './fixtures.js';
import type { TestUser, Tokens } from './auth.js';

export type Account = Pick<TestUser, 'id' | 'email' | 'password'>;

/**
 * Verified members made by the user factory in the database at `primaryUrl`, in one statement, for apis that run as
 * processes of their own (no app object to borrow). The replica is not waited for: these suites stop and pause it.
 */
export async function createAccounts(primaryUrl: string, count: number): Promise<Account[]> {
  const users = await fixtures({ primaryUrl }).users.createMany(count);
  // Not null: made with the factory's default address and password.
  return users.map((user) => ({ id: user.id, email: user.email!, password: user.password! }));
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
