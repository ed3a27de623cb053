import { RotatingPassword } from './rotating-password.provider.js';

describe('RotatingPassword', () => {
  let now = 0;
  let reads: string[];
  let failing = false;
  const store = { value: 'first' };
  const read = () => {
    reads.push(store.value);
    return failing ? Promise.reject(new Error('store away')) : Promise.resolve(store.value);
  };

  beforeEach(() => {
    now = 1_000;
    reads = [];
    failing = false;
    store.value = 'first';
  });

  const password = () => new RotatingPassword(read, 60_000, () => now);

  it('reads once for concurrent connections and serves the read value until it is a minute old', async () => {
    const rotating = password();
    expect(await Promise.all([rotating.current(), rotating.current()])).toEqual(['first', 'first']);
    store.value = 'second';
    now += 59_999;
    expect(await rotating.current()).toBe('first');
    now += 1;
    expect(await rotating.current()).toBe('second');
    expect(reads).toEqual(['first', 'second']);
  });

  it('reads again at once after the server refused the password', async () => {
    const rotating = password();
    await rotating.current();
    store.value = 'rotated';
    rotating.refused();
    expect(await rotating.current()).toBe('rotated');
    expect(reads).toHaveLength(2);
  });

  it('keeps serving the last password while the store cannot be read, and fails only without one', async () => {
    const rotating = password();
    failing = true;
    await expect(rotating.current()).rejects.toThrow('store away');
    failing = false;
    await rotating.current();
    failing = true;
    now += 120_000;
    expect(await rotating.current()).toBe('first');
  });
});
