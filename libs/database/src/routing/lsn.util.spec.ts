import { hasReplayed, LATEST_POSITION, normalizeLsn } from './lsn.util.js';

describe(normalizeLsn.name, () => {
  it('pads both halves so that positions compare as strings', () => {
    expect(normalizeLsn('16/B374D848')).toBe('00000016B374D848');
    expect(normalizeLsn('0/1A')).toBe('000000000000001A');
    expect(normalizeLsn('00000016B374D848')).toBe('00000016B374D848');
  });

  it('rejects what is not an LSN', () => {
    expect(() => normalizeLsn('16-B374')).toThrow('not an LSN');
  });
});

describe(hasReplayed.name, () => {
  it('compares numerically across the halves', () => {
    expect(hasReplayed('1/0', '0/FFFFFFFF')).toBe(true);
    expect(hasReplayed('0/FFFFFFFF', '1/0')).toBe(false);
    expect(hasReplayed('0/9', '0/10')).toBe(false);
    expect(hasReplayed('0/10', '0/10')).toBe(true);
  });

  it('is false for an unknown replay position and for the latest-position marker', () => {
    expect(hasReplayed(null, '0/1')).toBe(false);
    expect(hasReplayed('FF/FFFFFFFE', LATEST_POSITION)).toBe(false);
  });
});
