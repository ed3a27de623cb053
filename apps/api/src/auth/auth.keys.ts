import { createHash } from 'node:crypto';
import { RedisKeys } from '@app/redis';
import { Injectable } from '@nestjs/common';

/** An address as a key part: its SHA-256, case-insensitively (the address itself never appears in a key). */
export const addressDigest = (email: string): string =>
  createHash('sha256').update(email.toLowerCase()).digest('base64url');

/** Every Redis key of the auth context, in one place: `<prefix>:auth:<kind>:<id>`. */
@Injectable()
export class AuthKeys {
  constructor(private readonly keys: RedisKeys) {}

  session(sessionId: string): string {
    return this.keys.key('auth', 'session', sessionId);
  }

  userSessions(userId: string): string {
    return this.keys.key('auth', 'user-sessions', userId);
  }

  deniedJti(jti: string): string {
    return this.keys.key('auth', 'denied-jti', jti);
  }

  userStamp(userId: string): string {
    return this.keys.key('auth', 'user-stamp', userId);
  }

  /** Bumped by every change that ends a user's tokens: a sign-in that read the account before it must not finish. */
  userVersion(userId: string): string {
    return this.keys.key('auth', 'user-version', userId);
  }

  /** The live codes of one address, for one purpose. */
  emailCodes(purpose: string, emailHash: string): string {
    return this.keys.key('auth', `${purpose}-codes`, emailHash);
  }

  /** The signups waiting for one address to be proven. */
  pendingSignups(emailHash: string): string {
    return this.keys.key('auth', 'pending-signups', emailHash);
  }

  /** Wrong code tries for one address over a day, across its codes. */
  emailCodeDailyTries(emailHash: string): string {
    return this.keys.key('auth', 'email-code-tries', emailHash);
  }

  /** The mail cool-down of one address, shared by every route that mails it a code. */
  resendCooldown(emailHash: string): string {
    return this.keys.key('auth', 'email-resend', emailHash);
  }

  /** The prefixes the Lua scripts build keys from. */
  get sessionPrefix(): string {
    return this.session('');
  }

  get userSessionsPrefix(): string {
    return this.userSessions('');
  }
}
