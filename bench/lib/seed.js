/**
 * Seeds realistic data straight into the primary with set-based SQL (generate_series), then reads back what the
 * scenarios need: the members that sign in, a sample of board ids, the tasks each signed-in member owns.
 */
import { PasswordHasher } from '../../dist/apps/api/src/bench.entry.js';
import { withClient } from './stack.js';

/** Every seeded member signs in with this password. */
export const PASSWORD = 'correct horse battery staple';

/** Tasks each signed-in member creates for themselves: the PATCH scenario changes only its own. */
const OWNED_TASKS = 20;

export const memberEmail = (n) => `member${String(n).padStart(5, '0')}@modak.test`;

const SEED_SQL = {
  users: `
    INSERT INTO users (email, password_hash, nickname, role, email_verified_at, created_at, updated_at)
    SELECT format('member%s@modak.test', lpad(i::text, 5, '0')), $1,
           (ARRAY['김','이','박','최','정','강','조','윤','장','임'])[1 + i % 10]
             || (ARRAY['다연','민준','서연','지호','하은','도윤','수아','시우','지안','예준','하린','주원'])[1 + (i / 10) % 12]
             || ' ' || i,
           'USER', t, t, t
    FROM generate_series(1, $2::int) AS i
    CROSS JOIN LATERAL (SELECT now() - make_interval(hours => $2::int - i) AS t) AS times`,
  members: `
    CREATE TEMP TABLE members AS SELECT row_number() OVER (ORDER BY email) AS n, id FROM users;
    ALTER TABLE members ADD PRIMARY KEY (n);`,
  // One post every ~20 s going back in time, by pseudo-random authors; about 1% soft-deleted.
  boards: `
    INSERT INTO boards (author_id, title, content, created_at, updated_at, deleted_at)
    SELECT m.id,
           (ARRAY['이번 주 회의록','배포 체크리스트','점심 메뉴 추천','휴가 일정 공유','온보딩 안내','장애 회고',
                  'Sprint review notes','Release plan'])[1 + i % 8] || ' #' || i,
           repeat((ARRAY['월요일 10시 회의에서 정한 것들입니다. ','다음 배포는 목요일 오후로 잡았습니다. ',
                         'Please review the attached plan before Friday. ','질문은 댓글로 남겨 주세요. ',
                         'The staging database moves to the new cluster next week. '])[1 + i % 5], 2 + i % 10),
           t, t, CASE WHEN i % 97 = 0 THEN t + interval '1 hour' END
    FROM generate_series(1, $1::int) AS i
    CROSS JOIN LATERAL (SELECT now() - make_interval(secs => i * 20.0 + (i % 1000) / 1000.0) AS t) AS times
    JOIN members m ON m.n = 1 + (i::bigint * 7919) % $2::int`,
  // First the signed-in members' own tasks (creator = assignee), then the rest between pseudo-random members.
  ownedTasks: `
    INSERT INTO tasks (creator_id, assignee_id, title, description, status, due_at, created_at, updated_at)
    SELECT m.id, m.id, '내 할 일 ' || i, 'Benchmark task owned by its member', 'TODO',
           now() + make_interval(days => i % 30), t, t
    FROM generate_series(1, $1::int * ${OWNED_TASKS}) AS i
    CROSS JOIN LATERAL (SELECT now() - make_interval(mins => i) AS t) AS times
    JOIN members m ON m.n = 1 + (i - 1) % $1::int`,
  tasks: `
    INSERT INTO tasks (creator_id, assignee_id, title, description, status, due_at, created_at, updated_at)
    SELECT c.id, CASE WHEN i % 10 = 0 THEN NULL ELSE a.id END,
           (ARRAY['배포 체크리스트 정리','QA 시나리오 작성','Fix flaky login test','고객 문의 답변',
                  'Update onboarding doc'])[1 + i % 5] || ' #' || i,
           repeat('세부 사항은 보드 글을 참고하세요. ', 1 + i % 4),
           (ARRAY['TODO','IN_PROGRESS','DONE'])[1 + i % 3]::task_status,
           CASE WHEN i % 4 = 0 THEN NULL ELSE now() + make_interval(days => i % 60) END, t, t
    FROM generate_series(1, $1::int) AS i
    CROSS JOIN LATERAL (SELECT now() - make_interval(secs => i * 30) AS t) AS times
    JOIN members c ON c.n = 1 + (i::bigint * 7919) % $2::int
    JOIN members a ON a.n = 1 + (i::bigint * 104729) % $2::int`,
};

/**
 * Seeds `users` members (the first `signedIn` of them are the benchmark's signed-in clients), `boards` boards and
 * `tasks` tasks. Returns the time it took.
 */
export async function seed(primaryUrl, { users, boards, tasks, signedIn }) {
  const started = Date.now();
  // Made by the API's own hasher, so that a verification costs what it costs the API.
  const passwordHash = await new PasswordHasher().hash(PASSWORD);
  await withClient(primaryUrl, async (client) => {
    await client.query("SET synchronous_commit = off; SET maintenance_work_mem = '256MB'");
    await client.query(SEED_SQL.users, [passwordHash, users]);
    await client.query(SEED_SQL.members);
    await client.query(SEED_SQL.boards, [boards, users]);
    await client.query(SEED_SQL.ownedTasks, [signedIn]);
    await client.query(SEED_SQL.tasks, [tasks - signedIn * OWNED_TASKS, users]);
    // A table that has lived a while has been vacuumed: visibility map set, statistics fresh.
    await client.query('VACUUM ANALYZE');
  });
  return Date.now() - started;
}

/** Ids of `count` random live boards. */
export async function sampleBoardIds(replicaUrl, count) {
  return withClient(replicaUrl, async (client) => {
    const { rows } = await client.query(
      'SELECT id FROM boards TABLESAMPLE SYSTEM (10) WHERE deleted_at IS NULL ORDER BY random() LIMIT $1',
      [count],
    );
    return rows.map((row) => row.id);
  });
}

/** For each email, the tasks its member both created and is assigned (id, version, status), as they are now. */
export async function ownedTasks(primaryUrl, emails) {
  return withClient(primaryUrl, async (client) => {
    const { rows } = await client.query(
      `SELECT u.email, t.id, t.version, t.status
       FROM users u JOIN tasks t ON t.creator_id = u.id AND t.assignee_id = u.id AND t.deleted_at IS NULL
       WHERE u.email = ANY($1) ORDER BY u.email, t.created_at`,
      [emails],
    );
    const byEmail = new Map(emails.map((email) => [email, []]));
    for (const row of rows) byEmail.get(row.email).push({ id: row.id, version: row.version, status: row.status });
    return emails.map((email) => byEmail.get(email));
  });
}
