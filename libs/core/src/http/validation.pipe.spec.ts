import { AppError } from '../errors/app.error.js';
import { assertSafeInput, createValidationPipe, MAX_INPUT_DEPTH } from './validation.pipe.js';

const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { next: nested(depth - 1) });

const fieldOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).errors?.[0]?.field;
  }
  return undefined;
};

describe(assertSafeInput.name, () => {
  it('lets ordinary input through', () => {
    expect(() => assertSafeInput({ title: '회의록', tags: ['a', 'b'], n: 1, none: null })).not.toThrow();
    expect(() => assertSafeInput(nested(MAX_INPUT_DEPTH - 1))).not.toThrow();
  });

  it('refuses a NUL character in a value, naming the field, and in a key', () => {
    expect(fieldOf(() => assertSafeInput({ board: { title: 'a\u0000b' } }))).toBe('board.title');
    expect(fieldOf(() => assertSafeInput({ list: ['ok', '\u0000'] }))).toBe('list.1');
    expect(fieldOf(() => assertSafeInput({ 'ke\u0000y': 1 }))).toBe('body');
  });

  it('refuses nesting deeper than the limit, however deep, without exhausting the stack', () => {
    expect(fieldOf(() => assertSafeInput(nested(MAX_INPUT_DEPTH + 1)))).toBeDefined();
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    expect(fieldOf(() => assertSafeInput(deep))).toMatch(/^0(\.0)+$/);
  });
});

describe(createValidationPipe.name, () => {
  it('checks bodies and queries, not values the app itself supplies', async () => {
    const pipe = createValidationPipe();
    await expect(pipe.transform({ q: '\u0000' }, { type: 'query' })).rejects.toBeInstanceOf(AppError);
    await expect(pipe.transform({ id: 'a\u0000' }, { type: 'custom' })).resolves.toEqual({ id: 'a\u0000' });
  });
});
