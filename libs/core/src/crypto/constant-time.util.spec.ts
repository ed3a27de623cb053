import { constantTimeEqual } from './constant-time.util.js';

describe(constantTimeEqual.name, () => {
  it('is true only for the same bytes', () => {
    expect(constantTimeEqual('state-1', 'state-1')).toBe(true);
    expect(constantTimeEqual('state-1', 'state-2')).toBe(false);
    expect(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2, 3]), Buffer.from([1, 2, 4]))).toBe(false);
  });

  it('answers false for values of another length instead of throwing', () => {
    expect(constantTimeEqual('short', 'longer')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });

  it('compares strings as UTF-8 bytes', () => {
    expect(constantTimeEqual('카카오', '카카오')).toBe(true);
    expect(constantTimeEqual('카카오', '카카우')).toBe(false);
  });
});
