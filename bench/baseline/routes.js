/**
 * The benchmarked routes, written straight on Fastify and pg: JSON schemas validate, handlers run the API's statements
 * and shape the same JSON.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { isRevoked } from './auth.js';
import { MAX_COUNTED_ROWS, SQL } from './sql.js';

const STATUSES = ['TODO', 'IN_PROGRESS', 'DONE'];

class HttpError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const userOf = (row, alias) => ({
  id: row[`${alias}_id`],
  email: row[`${alias}_email`],
  nickname: row[`${alias}_nickname`],
  role: row[`${alias}_role`],
  emailVerified: row[`${alias}_email_verified_at`] !== null,
  provider: row[`${alias}_password_hash`] === null && row[`${alias}_kakao_id`] !== null ? 'kakao' : 'email',
  createdAt: row[`${alias}_created_at`],
});

const boardOf = (row) => ({
  id: row.board_id,
  title: row.board_title,
  content: row.board_content,
  author: { id: row.author_id, nickname: row.author_nickname },
  createdAt: row.board_created_at,
  updatedAt: row.board_updated_at,
});

const taskOf = (row) => ({
  id: row.task_id,
  title: row.task_title,
  description: row.task_description,
  status: row.task_status,
  creator: { id: row.creator_id, nickname: row.creator_nickname },
  assignee: row.assignee_id === null ? null : { id: row.assignee_id, nickname: row.assignee_nickname },
  dueAt: row.task_due_at,
  version: row.task_version,
  createdAt: row.task_created_at,
  updatedAt: row.task_updated_at,
});

const encodeCursor = (row) =>
  Buffer.from(JSON.stringify([row.board_created_at.toISOString(), row.board_id])).toString('base64url');

function decodeCursor(cursor) {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return [new Date(createdAt), id];
  } catch {
    throw new HttpError(400, 'VALIDATION_FAILED', 'cursor is not one this API returned');
  }
}

/** `meta` of a numbered page (libs/core/src/pagination/page.ts): totals exact up to MAX_COUNTED_ROWS, null beyond. */
function pageMeta(page, perPage, { hasNext, total: counted }) {
  const total = counted > MAX_COUNTED_ROWS ? null : counted;
  return { page, perPage, total, totalPages: total === null ? null : Math.ceil(total / perPage), hasNext };
}

/** The first row of a numbered page, or 400 PAGE_TOO_DEEP when it starts past the rows numbered pages reach. */
function offsetOf(page, perPage) {
  const offset = (page - 1) * perPage;
  if (offset >= MAX_COUNTED_ROWS) {
    throw new HttpError(400, 'PAGE_TOO_DEEP', `Numbered pages reach the first ${MAX_COUNTED_ROWS} rows`);
  }
  return offset;
}

const BOARD_LIST = {
  first: SQL.boardsFirst,
  ids: SQL.boardPageIds,
  byIds: SQL.boardsByIds,
  count: SQL.boardCount,
  parameters: [],
};

/** Registers the routes on `app`; `deps` holds the database, Redis and the auth pieces. */
export function registerRoutes(app, { db, redis, keys, tokens, sessions, limiter, limits, passwords }) {
  /** Bearer check with the Redis revocation round trip; the caller's claims, or 401. */
  async function authenticate(request) {
    const claims = tokens.verify(request.headers.authorization);
    if (!claims || (await isRevoked(redis, keys, claims))) throw new HttpError(401, 'UNAUTHORIZED', 'Sign in');
    request.caller = claims;
  }
  const clientKey = (request) => `user:${request.caller.sub}`;

  app.setErrorHandler((error, request, reply) => {
    const status = error instanceof HttpError ? error.status : error.validation ? 400 : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(status)
      .type('application/problem+json')
      .send({
        status,
        code: error.code ?? 'VALIDATION_FAILED',
        detail: status === 500 ? 'Internal error' : error.message,
      });
  });

  app.get(
    '/api/v1/boards',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            page: { type: 'integer', minimum: 1 },
            perPage: { type: 'integer', minimum: 1, maximum: 100 },
            cursor: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
    },
    async (request) => {
      const { page, perPage, cursor, limit } = request.query;
      if (cursor !== undefined || limit !== undefined) {
        const node = await db.reader(null);
        const size = limit ?? 20;
        const { rows } =
          cursor === undefined
            ? await node.query(SQL.boardsFirst(size + 1))
            : await node.query(SQL.boardsAfter(size + 1), decodeCursor(cursor));
        const items = rows.slice(0, size);
        const nextCursor = rows.length > size ? encodeCursor(items.at(-1)) : null;
        return { items: items.map(boardOf), meta: { limit: size, nextCursor } };
      }
      const number = page ?? 1;
      const size = perPage ?? 20;
      const found = await db.numberedPage(null, BOARD_LIST, offsetOf(number, size), size);
      return { items: found.items.map(boardOf), meta: pageMeta(number, size, found) };
    },
  );

  app.get(
    '/api/v1/boards/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } } },
    async (request) => {
      const { rows } = await (await db.reader(null)).query(SQL.boardById, [request.params.id]);
      if (rows.length === 0) throw new HttpError(404, 'NOT_FOUND', 'Board not found');
      return boardOf(rows[0]);
    },
  );

  app.post(
    '/api/v1/boards',
    {
      onRequest: authenticate,
      schema: {
        body: {
          type: 'object',
          required: ['title', 'content'],
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 200 },
            content: { type: 'string', minLength: 1, maxLength: 20_000 },
          },
        },
      },
    },
    async (request, reply) => {
      const board = await db.transaction(clientKey(request), async (client) => {
        const { rows } = await client.query(SQL.insertBoard, [
          request.caller.sub,
          request.body.title.trim(),
          request.body.content,
        ]);
        return (await client.query(SQL.boardById, [rows[0].id])).rows[0];
      });
      void reply.code(201);
      return boardOf(board);
    },
  );

  app.get('/api/v1/users/me', { onRequest: authenticate }, async (request) => {
    const { rows } = await (await db.reader(clientKey(request))).query(SQL.userById, [request.caller.sub]);
    if (rows.length === 0) throw new HttpError(404, 'NOT_FOUND', 'User not found');
    return userOf(rows[0], 'user');
  });

  app.get(
    '/api/v1/tasks',
    {
      onRequest: authenticate,
      schema: {
        querystring: {
          type: 'object',
          required: ['assigneeId'],
          properties: {
            assigneeId: { type: 'string', pattern: '^(me|[0-9a-f-]{36})$' },
            page: { type: 'integer', minimum: 1, default: 1 },
            perPage: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
        },
      },
    },
    async (request) => {
      const { assigneeId, page, perPage } = request.query;
      const assignee = assigneeId === 'me' ? request.caller.sub : assigneeId;
      const list = {
        first: SQL.assignedTasksFirst,
        ids: SQL.assignedTaskIds,
        byIds: SQL.assignedTasksByIds,
        count: SQL.assignedTaskCount,
        parameters: [assignee],
      };
      const found = await db.numberedPage(clientKey(request), list, offsetOf(page, perPage), perPage);
      return { items: found.items.map(taskOf), meta: pageMeta(page, perPage, found) };
    },
  );

  app.patch(
    '/api/v1/tasks/:id',
    {
      onRequest: authenticate,
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        body: {
          type: 'object',
          required: ['version'],
          additionalProperties: false,
          properties: { version: { type: 'integer', minimum: 1 }, status: { enum: STATUSES } },
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { version, status } = request.body;
      const actor = request.caller.sub;
      const task = await db.transaction(clientKey(request), async (client) => {
        const [current] = (await client.query(SQL.taskById, [id])).rows;
        if (!current) throw new HttpError(404, 'NOT_FOUND', 'Task not found');
        if (
          current.task_creator_id !== actor &&
          current.task_assignee_id !== actor &&
          request.caller.role !== 'ADMIN'
        ) {
          throw new HttpError(403, 'FORBIDDEN', 'Only the creator, the assignee or an admin can change this task');
        }
        if (current.task_version !== version) throw new HttpError(409, 'VERSION_CONFLICT', 'The task changed');
        if (status === undefined || status === current.task_status) return current;
        const updated = await client.query(SQL.updateTaskStatus, [status, id, version]);
        if (updated.rowCount !== 1) throw new HttpError(409, 'VERSION_CONFLICT', 'The task changed');
        const changes = { status: { old: current.task_status, new: status } };
        await client.query(SQL.insertTaskEvent, [id, actor, 'STATUS_CHANGED', JSON.stringify(changes)]);
        return (await client.query(SQL.taskById, [id])).rows[0];
      });
      return taskOf(task);
    },
  );

  /** Starts a session for `user` and answers the token response with the refresh cookie. */
  function answerSignedIn(reply, userRow, alias, session) {
    const user = userOf(userRow, alias);
    void reply.header(
      'set-cookie',
      `modak_rt=${session.refreshToken}; Max-Age=${session.refreshExpiresIn}; Path=/api/v1/auth; HttpOnly; Secure; ` +
        'SameSite=Strict',
    );
    void reply.header('cache-control', 'no-store');
    return {
      accessToken: tokens.sign({ userId: user.id, sessionId: session.sessionId, role: user.role }),
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: session.refreshToken,
      refreshExpiresIn: session.refreshExpiresIn,
      user,
    };
  }

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: {
            email: { type: 'string', format: 'email', maxLength: 254 },
            password: { type: 'string', minLength: 1, maxLength: 128 },
          },
        },
      },
    },
    async (request, reply) => {
      const { email, password } = request.body;
      const accountKey = createHash('sha256').update(`${email.toLowerCase()}|${request.ip}`).digest('base64url');
      const exceeded = await Promise.all([
        limiter.hit('login-account-ip', accountKey, limits.loginAccountIp),
        limiter.hit('login-ip', request.ip, limits.loginIp),
      ]);
      if (exceeded.some(Boolean)) throw new HttpError(429, 'RATE_LIMITED', 'Too many attempts');
      const [row] = (await db.primary.query(SQL.userByEmail, [email])).rows;
      const valid = row?.user_password_hash ? await passwords.verify(row.user_password_hash, password) : false;
      if (!valid) throw new HttpError(401, 'INVALID_CREDENTIALS', 'Wrong email or password');
      await Promise.all([
        limiter.reset('login-account-ip', accountKey),
        limiter.hit('login-ip', request.ip, limits.loginIp, -1),
      ]);
      if (row.user_banned_at !== null) throw new HttpError(403, 'ACCOUNT_BANNED', 'Banned');
      if (row.user_email_verified_at === null) throw new HttpError(403, 'EMAIL_NOT_VERIFIED', 'Verify your email');
      await db.recordWrite(`user:${row.user_id}`);
      const client = { ip: request.ip, userAgent: request.headers['user-agent'] ?? '' };
      return answerSignedIn(reply, row, 'user', await sessions.create(row.user_id, client));
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        body: {
          type: 'object',
          required: ['refreshToken'],
          additionalProperties: false,
          properties: { refreshToken: { type: 'string', minLength: 20, maxLength: 200 } },
        },
      },
    },
    async (request, reply) => {
      const { refreshToken } = request.body;
      const session = await sessions.peek(refreshToken);
      if (!session) throw new HttpError(401, 'INVALID_REFRESH_TOKEN', 'Sign in again');
      if (await limiter.hit('refresh-session', session.sessionId, limits.refreshSession)) {
        throw new HttpError(429, 'RATE_LIMITED', 'Too many refreshes');
      }
      const [row] = (await db.primary.query(SQL.userById, [session.userId])).rows;
      if (!row || row.user_banned_at !== null) throw new HttpError(401, 'INVALID_REFRESH_TOKEN', 'Sign in again');
      const rotated = await sessions.rotate(refreshToken, session);
      if (!rotated) throw new HttpError(401, 'INVALID_REFRESH_TOKEN', 'Sign in again');
      return answerSignedIn(reply, row, 'user', rotated);
    },
  );
}
