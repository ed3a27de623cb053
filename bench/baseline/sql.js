/**
 * The statements the API sends for the benchmarked requests, as its statement log shows them (TypeORM's aliases
 * included), so that the baseline does the same database work and a ratio measures what runs in Node.
 */
import { MAX_COUNTED_ROWS } from '../../dist/apps/api/src/bench.entry.js';

const BOARD_COLUMNS =
  '"board"."id" AS "board_id", "board"."author_id" AS "board_author_id", "board"."title" AS "board_title", ' +
  '"board"."content" AS "board_content", "board"."created_at" AS "board_created_at", ' +
  '"board"."updated_at" AS "board_updated_at", "board"."deleted_at" AS "board_deleted_at", ' +
  '"author"."id" AS "author_id", "author"."nickname" AS "author_nickname"';
const BOARDS_LIVE =
  'FROM "boards" "board" INNER JOIN "users" "author" ON "author"."id"="board"."author_id" ' +
  'WHERE ( "board"."deleted_at" IS NULL ) AND ( "board"."deleted_at" IS NULL )';
const BOARDS_LIVE_AND = (condition) =>
  'FROM "boards" "board" INNER JOIN "users" "author" ON "author"."id"="board"."author_id" ' +
  `WHERE ( "board"."deleted_at" IS NULL AND ${condition} ) AND ( "board"."deleted_at" IS NULL )`;
const NEWEST_BOARDS = 'ORDER BY "board"."created_at" DESC, "board"."id" DESC';

/** The API's bounded count (`counting` in libs/database/src/list.queries.ts): the filter without joins, one more row read. */
const boundedCount = (rows) =>
  `SELECT count(*)::int AS "total" FROM (${rows} LIMIT ${MAX_COUNTED_ROWS + 1}) AS "counted"`;

const TASK_COLUMNS =
  '"task"."id" AS "task_id", "task"."creator_id" AS "task_creator_id", "task"."assignee_id" AS "task_assignee_id", ' +
  '"task"."title" AS "task_title", "task"."description" AS "task_description", "task"."status" AS "task_status", ' +
  '"task"."due_at" AS "task_due_at", "task"."version" AS "task_version", "task"."created_at" AS "task_created_at", ' +
  '"task"."updated_at" AS "task_updated_at", "task"."deleted_at" AS "task_deleted_at", ' +
  '"creator"."id" AS "creator_id", "creator"."nickname" AS "creator_nickname", ' +
  '"assignee"."id" AS "assignee_id", "assignee"."nickname" AS "assignee_nickname"';
const TASKS_LIVE_AND = (condition) =>
  'FROM "tasks" "task" INNER JOIN "users" "creator" ON "creator"."id"="task"."creator_id"  ' +
  'LEFT JOIN "users" "assignee" ON "assignee"."id"="task"."assignee_id" ' +
  `WHERE ( "task"."deleted_at" IS NULL AND ${condition} ) AND ( "task"."deleted_at" IS NULL )`;

const NEWEST_TASKS = 'ORDER BY "task"."created_at" DESC, "task"."id" DESC';

/** `$first, $first+1, …`: `count` numbered parameters. */
const placeholders = (first, count) => Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');

const USER_COLUMNS = (alias) =>
  [
    'id',
    'email',
    'password_hash',
    'nickname',
    'role',
    'email_verified_at',
    'kakao_id',
    'banned_at',
    'closed_at',
    'created_at',
    'updated_at',
  ]
    .map((column) => `"${alias}"."${column}" AS "${alias}_${column}"`)
    .join(', ');

export const SQL = {
  /**
   * A numbered page (`fetchList` in libs/database/src/list.queries.ts): page 1 is `boardsFirst` (LIMIT perPage + 1, the extra
   * row says whether another page follows); a later page takes its ids first (LIMIT/OFFSET without the join), then
   * those rows with it. Unless it is the last page, the total is counted without the join and bounded (through the
   * count cache).
   */
  boardPageIds: (offset, limit) =>
    `SELECT "board"."id" AS "id" FROM "boards" "board" WHERE ( "board"."deleted_at" IS NULL ) ` +
    `AND ( "board"."deleted_at" IS NULL ) ${NEWEST_BOARDS} LIMIT ${limit} OFFSET ${offset}`,
  boardsByIds: (count) =>
    `SELECT ${BOARD_COLUMNS} ${BOARDS_LIVE_AND(`"board"."id" IN (${placeholders(1, count)})`)} ${NEWEST_BOARDS}`,
  boardCount: boundedCount(
    'SELECT 1 FROM "boards" "board" WHERE ( "board"."deleted_at" IS NULL ) AND ( "board"."deleted_at" IS NULL )',
  ),

  boardsFirst: (limit) => `SELECT ${BOARD_COLUMNS} ${BOARDS_LIVE} ${NEWEST_BOARDS} LIMIT ${limit}`,
  boardsAfter: (limit) =>
    `SELECT ${BOARD_COLUMNS} ${BOARDS_LIVE_AND('("board"."created_at", "board"."id") < ($1, $2)')} ` +
    `${NEWEST_BOARDS} LIMIT ${limit}`,
  boardById: `SELECT ${BOARD_COLUMNS} ${BOARDS_LIVE_AND('"board"."id" = $1')}`,
  insertBoard:
    'INSERT INTO "boards"("id", "author_id", "title", "content", "created_at", "updated_at", "deleted_at") ' +
    'VALUES (DEFAULT, $1, $2, $3, DEFAULT, DEFAULT, DEFAULT) RETURNING "id", "created_at", "updated_at", "deleted_at"',

  userById: `SELECT ${USER_COLUMNS('user')} FROM "users" "user" WHERE "user"."id" = $1`,
  userByEmail: `SELECT ${USER_COLUMNS('user')} FROM "users" "user" WHERE lower("user"."email") = lower($1)`,

  assignedTasksFirst: (limit) =>
    `SELECT ${TASK_COLUMNS} ${TASKS_LIVE_AND('"task"."assignee_id" = $1')} ${NEWEST_TASKS} LIMIT ${limit}`,
  assignedTaskIds: (offset, limit) =>
    'SELECT "task"."id" AS "id" FROM "tasks" "task" ' +
    'WHERE ( "task"."deleted_at" IS NULL AND "task"."assignee_id" = $1 ) AND ( "task"."deleted_at" IS NULL ) ' +
    `${NEWEST_TASKS} LIMIT ${limit} OFFSET ${offset}`,
  assignedTasksByIds: (count) =>
    `SELECT ${TASK_COLUMNS} ` +
    `${TASKS_LIVE_AND(`"task"."assignee_id" = $1 AND "task"."id" IN (${placeholders(2, count)})`)} ${NEWEST_TASKS}`,
  assignedTaskCount: boundedCount(
    'SELECT 1 FROM "tasks" "task" ' +
      'WHERE ( "task"."deleted_at" IS NULL AND "task"."assignee_id" = $1 ) AND ( "task"."deleted_at" IS NULL )',
  ),
  taskById: `SELECT ${TASK_COLUMNS} ${TASKS_LIVE_AND('"task"."id" = $1')}`,
  updateTaskStatus:
    'UPDATE "tasks" SET "status" = $1, "version" = "version" + 1, "updated_at" = CURRENT_TIMESTAMP ' +
    'WHERE "id" = $2 AND "version" = $3 AND "deleted_at" IS NULL',
  insertTaskEvent:
    'INSERT INTO "task_events"("id", "task_id", "actor_id", "type", "changes", "created_at") ' +
    'VALUES (DEFAULT, $1, $2, $3, $4, DEFAULT) RETURNING "id", "created_at"',

  writePosition: 'SELECT pg_current_wal_insert_lsn()::text AS lsn',
  replayPosition: 'SELECT pg_last_wal_replay_lsn()::text AS lsn',
};
