import { BoardFactory, TaskFactory, UserFactory, type FixtureTarget } from '@app/testing';
import { PasswordHasher } from '../../apps/api/src/auth/email/password.hasher.js';
import type { TestApi } from './api.js';

const hasher = new PasswordHasher();
const hashes = new Map<string, Promise<string>>();

/**
 * The api's own argon2id hash of `plain`, made once per password and test file: every user made with the shared
 * password carries the same hash, so a suite pays for one hash, not one per user.
 */
export function hashPassword(plain: string): Promise<string> {
  let hash = hashes.get(plain);
  if (!hash) {
    hash = hasher.hash(plain);
    hashes.set(plain, hash);
  }
  return hash;
}

/** The one way tests make users, boards and tasks. */
export interface Fixtures {
  users: UserFactory;
  boards: BoardFactory;
  tasks: TaskFactory;
}

/** The factories writing to `target`'s primary; they wait for its replica when it names one (a TestDatabase does). */
export const fixtures = (target: FixtureTarget): Fixtures => ({
  users: new UserFactory(target, hashPassword),
  boards: new BoardFactory(target),
  tasks: new TaskFactory(target),
});

/**
 * The factories of the database an in-process api uses: its primary, and its replica unless `awaitReplica` is false
 * (a test whose replica is paused or stopped).
 */
export const fixturesOf = (api: TestApi, { awaitReplica = true } = {}): Fixtures => {
  const { primaryUrl, replicaUrls } = api.config.database;
  return fixtures({ primaryUrl, replicaUrl: awaitReplica ? replicaUrls[0] : undefined });
};
