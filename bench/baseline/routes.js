/**
 * The benchmarked routes, written straight on Fastify and pg: JSON schemas validate, handlers run the API's statements
 * and shape the same JSON. Lists, cursors, error codes and the sign-in steps are the API's own functions and classes;
 * what is written here is what Nest, TypeORM and the DTOs do in the API.
 */
import {
  accountBanned,
  AppError,
  clientNetwork,
  cursorPageOf,
  enforce,
  ERROR_CODES,
  ErrorCode,
  invalidCredentials,
  invalidRefreshToken,
  listWindowOf,
  pageOf,
  refreshTokenReused,
  Role,
  setRefreshCookie,
} from '../../dist/apps/api/src/bench.entry.js';
import { authenticate } from './auth.js';
import { SQL } from './sql.js';

const STATUSES = ['TODO', 'IN_PROGRESS', 'DONE'];

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

const notFound = (what) => new AppError(ErrorCode.NotFound, `${what} not found`);
const versionConflict = () => new AppError(ErrorCode.VersionConflict, 'The task changed');

const BOARD_LIST = {
  first: SQL.boardsFirst,
  ids: SQL.boardPageIds,
  byIds: SQL.boardsByIds,
  count: SQL.boardCount,
  parameters: [],
};

/** Registers the routes on `app`: `db` the pools, `auth` the API's sign-in services, `config` the API's settings. */
export function registerRoutes(app, { db, auth, config }) {
  /** Bearer check with the Redis revocation round trip; the caller's claims on `request.caller`, or 401. */
  const signedIn = async (request) => {
    request.caller = await authenticate(auth, request);
  };
  const clientKey = (request) => `user:${request.caller.sub}`;
  const clientOf = (request) => ({
    ip: request.ip,
    network: clientNetwork(request.ip),
    userAgent: request.headers['user-agent'] ?? '',
  });

  app.setErrorHandler((error, request, reply) => {
    const code =
      error instanceof AppError ? error.code : error.validation ? ErrorCode.ValidationFailed : ErrorCode.InternalError;
    const { status } = ERROR_CODES[code];
    if (status === 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(status)
      .headers(error instanceof AppError ? error.headers : {})
      .type('application/problem+json')
      .send({ status, code, detail: status === 500 ? 'Internal error' : error.message });
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
      const window = listWindowOf(request.query);
      if (window.kind === 'cursor') {
        const node = await db.reader(null);
        const { after, limit } = window;
        const { rows } =
          after === undefined
            ? await node.query(SQL.boardsFirst(limit + 1))
            : await node.query(SQL.boardsAfter(limit + 1), [after.createdAt, after.id]);
        return cursorPageOf(rows.map(boardOf), limit, (board) => board);
      }
      const { page, perPage } = window;
      const found = await db.numberedPage(null, BOARD_LIST, (page - 1) * perPage, perPage);
      return pageOf(found.items.map(boardOf), found.hasNext, found.total, window);
    },
  );

  app.get(
    '/api/v1/boards/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } } } },
    async (request) => {
      const { rows } = await (await db.reader(null)).query(SQL.boardById, [request.params.id]);
      if (rows.length === 0) throw notFound('Board');
      return boardOf(rows[0]);
    },
  );

  app.post(
    '/api/v1/boards',
    {
      onRequest: signedIn,
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

  app.get('/api/v1/users/me', { onRequest: signedIn }, async (request) => {
    const { rows } = await (await db.reader(clientKey(request))).query(SQL.userById, [request.caller.sub]);
    if (rows.length === 0) throw notFound('User');
    return userOf(rows[0], 'user');
  });

  app.get(
    '/api/v1/tasks',
    {
      onRequest: signedIn,
      schema: {
        querystring: {
          type: 'object',
          required: ['assigneeId'],
          properties: {
            assigneeId: { type: 'string', pattern: '^(me|[0-9a-f-]{36})$' },
            page: { type: 'integer', minimum: 1 },
            perPage: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
    },
    async (request) => {
      const { assigneeId, ...query } = request.query;
      const window = listWindowOf(query);
      const assignee = assigneeId === 'me' ? request.caller.sub : assigneeId;
      const list = {
        first: SQL.assignedTasksFirst,
        ids: SQL.assignedTaskIds,
        byIds: SQL.assignedTasksByIds,
        count: SQL.assignedTaskCount,
        parameters: [assignee],
      };
      const { page, perPage } = window;
      const found = await db.numberedPage(clientKey(request), list, (page - 1) * perPage, perPage);
      return pageOf(found.items.map(taskOf), found.hasNext, found.total, window);
    },
  );

  app.patch(
    '/api/v1/tasks/:id',
    {
      onRequest: signedIn,
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
        if (!current) throw notFound('Task');
        if (
          current.task_creator_id !== actor &&
          current.task_assignee_id !== actor &&
          request.caller.role !== Role.ADMIN
        ) {
          throw new AppError(ErrorCode.Forbidden, 'Only the creator, the assignee or an admin can change this task');
        }
        if (current.task_version !== version) throw versionConflict();
        if (status === undefined || status === current.task_status) return current;
        const updated = await client.query(SQL.updateTaskStatus, [status, id, version]);
        if (updated.rowCount !== 1) throw versionConflict();
        const changes = { status: { old: current.task_status, new: status } };
        await client.query(SQL.insertTaskEvent, [id, actor, 'STATUS_CHANGED', JSON.stringify(changes)]);
        return (await client.query(SQL.taskById, [id])).rows[0];
      });
      return taskOf(task);
    },
  );

  /** The API's answer to a sign-in or a refresh: the refresh cookie set, the tokens and the user in the body. */
  function answerSignedIn(reply, row, session) {
    setRefreshCookie(reply, session.refreshToken, session.refreshExpiresIn, config.auth.secureCookies);
    void reply.header('cache-control', 'no-store');
    const user = userOf(row, 'user');
    const access = auth.tokens.sign({ userId: user.id, sessionId: session.sessionId, role: user.role });
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
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
      const client = clientOf(request);
      // The API's steps (AuthService.login, then signIn) for an account with a password; an address with no account
      // (the API then looks for signups waiting for it) is not benchmarked.
      const succeeded = await auth.attempts.count(email, client, auth.devices.read(request));
      const [row] = (await db.primary.query(SQL.userByEmail, [email])).rows;
      const valid = row?.user_password_hash
        ? await auth.passwords.verify(row.user_password_hash, password)
        : row !== undefined && (await auth.passwords.verifyNothing(password));
      if (!valid) throw invalidCredentials();
      await succeeded();
      if (row.user_banned_at !== null) throw accountBanned();
      await db.recordWrite(`user:${row.user_id}`);
      // The account read again after the user's version, the session created only if the version has not moved since
      // (the API reads it again up to three times; nothing bans or signs out members during a run).
      const version = await auth.sessions.version(row.user_id);
      const [current] = (await db.primary.query(SQL.userById, [row.user_id])).rows;
      if (!current || current.user_closed_at !== null || current.user_password_hash !== row.user_password_hash) {
        throw invalidCredentials();
      }
      if (current.user_banned_at !== null) throw accountBanned();
      const session = await auth.sessions.create(current.user_id, client, version);
      if (!session) throw new AppError(ErrorCode.DependencyUnavailable, 'The account changed; try again');
      auth.devices.set(reply, auth.devices.issue(email));
      return answerSignedIn(reply, current, session);
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
      const session = await auth.sessions.peek(refreshToken);
      if (!session) throw invalidRefreshToken();
      await enforce(auth.limiter, 'refresh-session', session.sessionId, config.auth.rateLimits.refreshSession);
      const [row] = (await db.primary.query(SQL.userById, [session.userId])).rows;
      if (!row || row.user_banned_at !== null || row.user_closed_at !== null) {
        await auth.sessions.revoke(session.userId, session.sessionId);
        throw invalidRefreshToken();
      }
      const rotation = await auth.sessions.rotate(refreshToken);
      if (rotation.kind === 'invalid') throw invalidRefreshToken();
      if (rotation.kind === 'reused') {
        const { ip, userAgent } = clientOf(request);
        request.log.warn(
          { event: 'refresh_token_reused', userId: rotation.userId, sessionId: rotation.sessionId, ip, userAgent },
          'a rotated refresh token was presented again; its login has been ended',
        );
        throw refreshTokenReused();
      }
      return answerSignedIn(reply, row, rotation);
    },
  );
}
