import { MailSeal } from './mail.seal.js';

describe(MailSeal.name, () => {
  const seal = new MailSeal('a-key-of-at-least-thirty-two-characters-0123456789');
  const mail = { to: ['dana@example.com'], subject: '[Modak] 인증 코드 482913', text: 'Your code is 482913.' };

  it('gives back the mail it sealed, and keeps only the recipients readable', () => {
    const sealed = seal.seal(mail);
    expect(sealed.to).toEqual(mail.to);
    expect(JSON.stringify(sealed)).not.toContain('482913');
    expect(JSON.stringify(sealed)).not.toContain('Modak');
    expect(seal.open(sealed)).toEqual(mail);
    expect(seal.open(seal.seal({ ...mail, html: '<p>482913</p>' }))).toEqual({ ...mail, html: '<p>482913</p>' });
  });

  it('seals the same mail differently each time', () => {
    expect(seal.seal(mail).sealed).not.toBe(seal.seal(mail).sealed);
  });

  it('refuses data sealed with another key, or changed', () => {
    const sealed = seal.seal(mail);
    expect(() => new MailSeal('another-key-of-at-least-thirty-two-characters-01').open(sealed)).toThrow();
    const bytes = Buffer.from(sealed.sealed, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    expect(() => seal.open({ ...sealed, sealed: bytes.toString('base64url') })).toThrow();
  });
});
