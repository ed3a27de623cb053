import { RateLimiter } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { addressDigest } from '../auth.keys.js';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { rateLimited } from '../auth.errors.js';
import { DeviceCookieSigner } from './device-cookie.signer.js';
import type { ClientInfo } from '../sessions/session.store.js';

/** Gives a counted attempt's allowance back once the password proved right. */
export type AttemptSucceeded = () => Promise<void>;

/**
 * The allowance of password guesses for one account (SECURITY.md): per account+IP, per IP, and per account from
 * anywhere (NIST 800-63B's cap), except that a browser holding a device cookie for the account counts its failures on
 * its own, so guesses from elsewhere never lock out the account's owner. Every attempt is counted before the password
 * is checked, so parallel guesses cannot slip under a limit; a success gives its attempts back.
 */
@Injectable()
export class LoginAttemptsLimiter {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly limiter: RateLimiter,
    private readonly devices: DeviceCookieSigner,
  ) {}

  /** Counts one attempt at `email`'s password, or throws 429 when an allowance is used up. */
  async count(email: string, client: ClientInfo, deviceCookie?: string): Promise<AttemptSucceeded> {
    const accountIpKey = createHash('sha256').update(`${email.toLowerCase()}|${client.network}`).digest('base64url');
    const device = this.devices.deviceOf(deviceCookie, email);
    const { loginAccountIp, loginIp, loginAccount } = this.config.rateLimits;
    // The account's allowance: its trusted browser's own, or the one shared by every other client.
    const [accountBucket, accountKey] = device ? ['login-device', device] : ['login-account', addressDigest(email)];
    const attempts = await Promise.all([
      this.limiter.hit('login-account-ip', accountIpKey, loginAccountIp),
      this.limiter.hit('login-ip', client.network, loginIp),
      this.limiter.hit(accountBucket, accountKey, device ? loginAccountIp : loginAccount),
    ]);
    const exceeded = attempts.find((state) => state.exceeded);
    if (exceeded) throw rateLimited(exceeded.resetMs);
    return async () => {
      await Promise.all([
        this.limiter.reset('login-account-ip', accountIpKey),
        this.limiter.reset(accountBucket, accountKey),
        this.limiter.hit('login-ip', client.network, loginIp, -1),
      ]);
    };
  }
}
