import { Role } from '@app/core';
import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { AccessTokenSigner, isCanonicalJwt } from './access-token.signer.js';
import type { AuthConfig } from '../auth.config.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256-0123456789';
const tokens = new AccessTokenSigner({ jwtSecret: SECRET, jwtIssuer: 'modak', jwtAudience: 'modak-api' } as AuthConfig);
const subject = { userId: randomUUID(), sessionId: randomUUID(), role: Role.User };

const segment = (value: string) => Buffer.from(value).toString('base64url');

describe('AccessTokenSigner.verify', () => {
  it('gives the claims of a token it signed', () => {
    const { token } = tokens.sign(subject);
    expect(tokens.verify(token)).toMatchObject({ sub: subject.userId, sid: subject.sessionId, role: Role.User });
  });

  it('refuses another key, another audience, an expired token, and a token of another type', () => {
    const claims = { sid: subject.sessionId, role: Role.User, jti: randomUUID() };
    const options = { subject: subject.userId, issuer: 'modak', audience: 'modak-api', expiresIn: 60 };
    const header = { alg: 'HS256' as const, typ: 'at+jwt' };
    expect(tokens.verify(jwt.sign(claims, `${SECRET}!`, { ...options, header }))).toBeUndefined();
    expect(tokens.verify(jwt.sign(claims, SECRET, { ...options, audience: 'other', header }))).toBeUndefined();
    const past = Math.floor(Date.now() / 1000) - 3_600;
    expect(tokens.verify(jwt.sign({ ...claims, iat: past }, SECRET, { ...options, header }))).toBeUndefined();
    expect(
      tokens.verify(jwt.sign(claims, SECRET, { ...options, header: { alg: 'HS256', typ: 'JWT' } })),
    ).toBeUndefined();
    expect(tokens.verify('not.a.token')).toBeUndefined();
  });
});

describe(isCanonicalJwt.name, () => {
  it('accepts the compact JSON this API writes', () => {
    expect(isCanonicalJwt(tokens.sign(subject).token)).toBe(true);
  });

  it('refuses duplicated keys, spaced JSON, a segment that is no JSON, and a token without three parts', () => {
    const payload = segment('{"sub":"a"}');
    expect(isCanonicalJwt(`${segment('{"alg":"HS256","alg":"none"}')}.${payload}.sig`)).toBe(false);
    expect(isCanonicalJwt(`${segment('{ "alg": "HS256" }')}.${payload}.sig`)).toBe(false);
    expect(isCanonicalJwt(`${segment('{"alg":"HS256"}')}.${segment('not json')}.sig`)).toBe(false);
    expect(isCanonicalJwt(`${segment('{"alg":"HS256"}')}.${payload}`)).toBe(false);
    expect(isCanonicalJwt(`${segment('{"alg":"HS256"}')}.${payload}.sig`)).toBe(true);
  });
});
