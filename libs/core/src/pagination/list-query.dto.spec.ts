import { AppError } from '../errors/app.error.js';
import { ErrorCode } from '../errors/error-code.enum.js';
import { listWindowOf, type ListQueryDto } from './list-query.dto.js';
import { MAX_COUNTED_ROWS, pageOf } from './page.dto.js';

describe(listWindowOf.name, () => {
  const codeOf = (query: ListQueryDto): ErrorCode | undefined => {
    try {
      listWindowOf(query);
      return undefined;
    } catch (error) {
      return (error as AppError).code;
    }
  };

  it('defaults to page 1 of 20, newest first', () => {
    expect(listWindowOf({})).toEqual({ kind: 'page', order: 'newest', page: 1, perPage: 20 });
  });

  it.each([
    [{ page: 500, perPage: 20 }, undefined],
    [{ page: 501, perPage: 20 }, ErrorCode.PageTooDeep],
    [{ page: 100, perPage: 100 }, undefined],
    [{ page: 101, perPage: 100 }, ErrorCode.PageTooDeep],
    [{ page: MAX_COUNTED_ROWS, perPage: 1 }, undefined],
    [{ page: MAX_COUNTED_ROWS + 1, perPage: 1 }, ErrorCode.PageTooDeep],
    [{ page: 1e12 }, ErrorCode.PageTooDeep],
  ])('serves numbered pages that start within the first 10 000 rows only (%o)', (query, code) => {
    expect(codeOf(query)).toBe(code);
  });

  it('refuses mixing the two modes, whatever the page', () => {
    expect(codeOf({ page: 2, limit: 5 })).toBe(ErrorCode.ValidationFailed);
  });
});

describe(pageOf.name, () => {
  const window = { page: 3, perPage: 10 };

  it('gives the total and the number of pages while the count is exact', () => {
    expect(pageOf([], true, MAX_COUNTED_ROWS, window).meta).toEqual({
      page: 3,
      perPage: 10,
      total: MAX_COUNTED_ROWS,
      totalPages: MAX_COUNTED_ROWS / 10,
      hasNext: true,
    });
  });

  it('says null for both beyond the counted bound, and keeps hasNext', () => {
    expect(pageOf([], false, MAX_COUNTED_ROWS + 1, window).meta).toMatchObject({
      total: null,
      totalPages: null,
      hasNext: false,
    });
  });
});
