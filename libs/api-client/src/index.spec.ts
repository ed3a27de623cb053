import { createModakClient, isCursorPage, isProblem, type Board, type List, type Problem } from './index.js';

/** A fetch that records each request and answers with `answer`. */
function fakeFetch(answer: () => Response = () => Response.json({ items: [], meta: {} })) {
  const requests: Request[] = [];
  const fetch = (request: Request) => {
    requests.push(request);
    return Promise.resolve(answer());
  };
  return { requests, fetch };
}

describe(createModakClient.name, () => {
  it('sends the access token of the moment as a bearer token, and none when signed out', async () => {
    const { requests, fetch } = fakeFetch();
    let token: string | null = 'first';
    const modak = createModakClient({ baseUrl: 'https://api.modak.example/', getAccessToken: () => token, fetch });

    await modak.GET('/api/v1/boards');
    token = 'second';
    await modak.GET('/api/v1/boards');
    token = null;
    await modak.GET('/api/v1/boards');

    expect(requests.map((request) => request.url)).toEqual(Array(3).fill('https://api.modak.example/api/v1/boards'));
    expect(requests.map((request) => request.headers.get('authorization'))).toEqual([
      'Bearer first',
      'Bearer second',
      null,
    ]);
  });

  it('keeps an Authorization header that a call sets itself', async () => {
    const { requests, fetch } = fakeFetch();
    const modak = createModakClient({ baseUrl: 'https://api.modak.example', getAccessToken: () => 'stored', fetch });

    await modak.GET('/api/v1/users/me', { headers: { authorization: 'Bearer explicit' } });

    expect(requests[0].headers.get('authorization')).toBe('Bearer explicit');
  });

  it('sends cookies (the refresh cookie) unless told otherwise', async () => {
    const { requests, fetch } = fakeFetch();
    await createModakClient({ baseUrl: 'https://api.modak.example', fetch }).POST('/api/v1/auth/refresh', {
      body: {},
    });
    await createModakClient({ baseUrl: 'https://api.modak.example', credentials: 'omit', fetch }).GET('/api/v1/boards');

    expect(requests.map((request) => request.credentials)).toEqual(['include', 'omit']);
  });

  it('answers an error with its problem details', async () => {
    const problem: Problem = {
      type: 'urn:modak:problem:version-conflict',
      title: 'Conflict',
      status: 409,
      detail: 'The task changed since version 1',
      code: 'VERSION_CONFLICT',
      requestId: 'req-1',
    };
    const { fetch } = fakeFetch(
      () =>
        new Response(JSON.stringify(problem), { status: 409, headers: { 'content-type': 'application/problem+json' } }),
    );
    const modak = createModakClient({ baseUrl: 'https://api.modak.example', fetch });

    const { data, error, response } = await modak.PATCH('/api/v1/tasks/{id}', {
      params: { path: { id: '5b0c3f7e-8f36-4a8e-9a53-2f9f7c1d2e4a' } },
      body: { version: 1, title: 'Renamed' },
    });

    expect(response.status).toBe(409);
    expect(data).toBeUndefined();
    expect(error).toEqual(problem);
    expect(isProblem(error)).toBe(true);
    expect(isProblem({ message: 'not a problem' })).toBe(false);
  });

  it('tells a keyset page from a numbered one', async () => {
    const pages = [
      { items: [], meta: { limit: 2, nextCursor: 'eyJjIjoxfQ' } },
      { items: [], meta: { page: 1, perPage: 2, total: 0, totalPages: 0, hasNext: false } },
    ];
    const { fetch } = fakeFetch(() => Response.json(pages.shift()));
    const modak = createModakClient({ baseUrl: 'https://api.modak.example', fetch });

    // A list answer of the generated client is a List of its items.
    const keyset: List<Board> | undefined = (await modak.GET('/api/v1/boards', { params: { query: { limit: 2 } } }))
      .data;
    const numbered: List<Board> | undefined = (await modak.GET('/api/v1/boards', { params: { query: { perPage: 2 } } }))
      .data;

    expect(isCursorPage(keyset!)).toBe(true);
    expect(isCursorPage(numbered!)).toBe(false);
  });
});
