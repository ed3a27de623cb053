import {
  decodePendingSignIn,
  encodePendingSignIn,
  isStateOf,
  newPendingSignIn,
  pkceChallengeOf,
  type KakaoPendingSignIn,
} from './kakao-sign-in.codec.js';

const NOW = Date.parse('2025-03-14T09:26:53Z');
const BASE64URL_256_BITS = /^[\w-]{43}$/;

describe(newPendingSignIn.name, () => {
  it('draws a 256-bit state and PKCE verifier, and keeps the SPA path for 10 minutes', () => {
    const pending = newPendingSignIn('/boards/42', NOW);
    expect(pending.state).toMatch(BASE64URL_256_BITS);
    expect(pending.verifier).toMatch(BASE64URL_256_BITS);
    expect(pending.verifier).not.toBe(pending.state);
    expect(pending).toMatchObject({ redirect: '/boards/42', expiresAt: NOW + 600_000 });
  });

  it('never draws the same state or verifier twice', () => {
    const drawn = Array.from({ length: 50 }, () => newPendingSignIn('/', NOW));
    expect(new Set(drawn.map((pending) => pending.state)).size).toBe(50);
    expect(new Set(drawn.map((pending) => pending.verifier)).size).toBe(50);
  });
});

describe(pkceChallengeOf.name, () => {
  it('computes the S256 challenge of RFC 7636, appendix B', () => {
    expect(pkceChallengeOf('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });
});

describe(decodePendingSignIn.name, () => {
  const pending: KakaoPendingSignIn = {
    state: 's'.repeat(43),
    verifier: 'v'.repeat(43),
    redirect: '/boards?tab=tasks',
    expiresAt: NOW + 1,
  };
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('reads back what encodePendingSignIn wrote, as URL-safe text', () => {
    const value = encodePendingSignIn(pending);
    expect(value).toMatch(/^[\w-]+$/);
    expect(decodePendingSignIn(value, NOW)).toEqual(pending);
  });

  it('refuses a sign-in whose 10 minutes are up', () => {
    expect(decodePendingSignIn(encodePendingSignIn(pending), pending.expiresAt)).toBeUndefined();
  });

  it.each([
    ['not base64url JSON', 'not json at all'],
    ['JSON null', encode(null)],
    ['a string', encode('state')],
    ['no verifier', encode({ ...pending, verifier: undefined })],
    ['no state', encode({ ...pending, state: undefined })],
    ['no redirect', encode({ ...pending, redirect: undefined })],
    ['an expiry as text', encode({ ...pending, expiresAt: String(pending.expiresAt) })],
  ])('refuses %s', (_what, value) => {
    expect(decodePendingSignIn(value, NOW)).toBeUndefined();
  });
});

describe(isStateOf.name, () => {
  const pending = newPendingSignIn('/', NOW);

  it('accepts the state sent to Kakao', () => {
    expect(isStateOf(pending, pending.state)).toBe(true);
  });

  it.each([
    ['another sign-in’s state', newPendingSignIn('/', NOW).state],
    ['a prefix of it', pending.state.slice(0, 42)],
    ['it with more after it', `${pending.state}x`],
    ['an empty state', ''],
    ['no state', undefined],
    ['the state given twice', [pending.state, pending.state]],
  ])('refuses %s', (_what, state) => {
    expect(isStateOf(pending, state)).toBe(false);
  });
});
