import { PasswordHasher } from './password.hasher.js';

describe(PasswordHasher.name, () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id and the OWASP parameters, and verifies', async () => {
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await expect(hasher.verify(hash, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(hash, 'correct horse battery stapl')).resolves.toBe(false);
    await expect(hasher.verify('not a hash', 'x')).resolves.toBe(false);
  });

  it('keeps the event loop turning while it hashes, and caps how many hashes run at once', async () => {
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns += 1;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const pending = Array.from({ length: hasher.limit.capacity + 3 }, (_, i) => hasher.hash(`password-${i}`));
    expect(hasher.limit.active).toBeLessThanOrEqual(hasher.limit.capacity);
    expect(hasher.limit.queued).toBe(3);
    await Promise.all(pending);
    spinning = false;
    // Had a hash run on the event loop, nothing else could have run meanwhile.
    expect(turns).toBeGreaterThan(20);
  });

  it('knows the common passwords, whatever their case', () => {
    expect(hasher.isCommon('Password123')).toBe(true);
    expect(hasher.isCommon('qwertyuiop')).toBe(true);
    expect(hasher.isCommon('quiet-harbor-lantern-42')).toBe(false);
  });
});
