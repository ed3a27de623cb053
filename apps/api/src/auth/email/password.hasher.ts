import { DependencyUnavailableError } from '@app/core';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConcurrencyLimiter, QueueFullError } from './concurrency.limiter.js';

/** OWASP's argon2id parameters: 19 MiB, two passes, one lane. */
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** About two seconds of hashing per core: beyond that a sign-in would wait longer than a client will. */
const MAX_QUEUED_HASHES = 64;

const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()));

/**
 * argon2id hashing. The work runs on libuv's thread pool (never the event loop), and at most one hash per core but one
 * runs at once: a login flood queues here instead of starving the pool that DNS and file I/O also use, and leaves a
 * core to the event loop (on 2 cores, two hashes at once tripled the p99 of other requests during a flood; see
 * bench/README.md).
 */
@Injectable()
export class PasswordHasher {
  /** Public for the benchmark and the tests: how many hashes run and wait. */
  readonly limit = new ConcurrencyLimiter(Math.max(availableParallelism() - 1, 1), MAX_QUEUED_HASHES);
  private dummyHash?: Promise<string>;

  /** Whether `password` is among the ~50 000 most common ones (case-insensitive). */
  isCommon(password: string): boolean {
    return COMMON_PASSWORDS.has(password.toLowerCase());
  }

  hash(password: string): Promise<string> {
    return this.limited(() => hash(password, ARGON2_OPTIONS));
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.limited(() => verify(passwordHash, password).catch(() => false));
  }

  /** Spends the same time as a real verification, for an account that does not exist. */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** A full queue (a sign-in flood) answers 503 with Retry-After at once rather than making requests wait for minutes. */
  private async limited<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.limit.run(work);
    } catch (error) {
      if (error instanceof QueueFullError) throw new DependencyUnavailableError('password hashing', error);
      throw error;
    }
  }
}
