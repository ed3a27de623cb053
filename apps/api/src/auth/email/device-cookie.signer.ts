import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, deriveKey } from '@app/core';
import { createHmac, randomBytes } from 'node:crypto';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S, DEVICE_COOKIE_PATH } from '../auth.constants.js';

/**
 * OWASP's device cookies: a browser that signed in to an account keeps, for that account, an allowance of failed
 * logins of its own, so that guesses from everywhere else, which lock the account's cookie-less sign-ins, never lock
 * its owner out. The cookie names the account by an HMAC of its address and the device by a random id, signed with
 * a key derived from the JWT secret; it holds nothing else and is sent only to the auth routes.
 */
@Injectable()
export class DeviceCookieSigner {
  private readonly key: Buffer;

  constructor(@Inject(AUTH_CONFIG) private readonly config: AuthConfig) {
    this.key = deriveKey('device-cookie', config.jwtSecret);
  }

  /** A new cookie value for a browser that just signed in to `email`. */
  issue(email: string): string {
    const device = randomBytes(16).toString('base64url');
    return `${device}.${this.mac(email, device)}`;
  }

  /** The device id of a cookie made for `email`, or undefined (none, forged, or another account's). */
  deviceOf(cookie: string | undefined, email: string): string | undefined {
    const [device, mac, extra] = cookie?.split('.') ?? [];
    if (!device || !mac || extra !== undefined) return undefined;
    return constantTimeEqual(mac, this.mac(email, device)) ? device : undefined;
  }

  read(request: FastifyRequest): string | undefined {
    return request.cookies[DEVICE_COOKIE];
  }

  set(reply: FastifyReply, value: string): void {
    reply.setCookie(DEVICE_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: DEVICE_COOKIE_PATH,
      maxAge: DEVICE_COOKIE_MAX_AGE_S,
    });
  }

  private mac(email: string, device: string): string {
    return createHmac('sha256', this.key).update(`${email.toLowerCase()}\n${device}`).digest('base64url');
  }
}
