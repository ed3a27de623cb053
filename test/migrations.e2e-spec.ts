import { parseEnv } from '@app/core';
import { createDataSource, databaseConfigFrom, databaseEnv } from '@app/database';
import { createTestDatabase, query, type TestDatabase } from '@app/testing';

// Migrations that move data, run against rows as an earlier release left them.
describe('data migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  const insertUser = async (columns: { email: string | null; passwordHash: string | null; verified: boolean }) => {
    const [row] = await query<{ id: string }>(
      database.primaryUrl,
      `INSERT INTO users (email, password_hash, nickname, email_verified_at, kakao_id)
       VALUES ($1::text, $2, 'n', CASE WHEN $3 THEN now() END, CASE WHEN $1::text IS NULL THEN '990001' END) RETURNING id`,
      [columns.email, columns.passwordHash, columns.verified],
    );
    return row.id;
  };

  it('PendingSignupsLeaveUsers drops the unproven signups of before, unassigning their tasks, and nothing else', async () => {
    const verified = await insertUser({ email: 'kept@example.com', passwordHash: 'hash', verified: true });
    const kakaoWithoutEmail = await insertUser({ email: null, passwordHash: null, verified: false });
    const unproven = await insertUser({ email: 'squatted@example.com', passwordHash: 'hash', verified: false });
    const [task] = await query<{ id: string }>(
      database.primaryUrl,
      `INSERT INTO tasks (title, creator_id, assignee_id) VALUES ('t', $1, $2) RETURNING id`,
      [verified, unproven],
    );

    // Migrations run as the owner of the schema, as on a deploy.
    const dataSource = createDataSource(
      database.ownerUrl,
      'primary',
      databaseConfigFrom(parseEnv({ DATABASE_URL: database.ownerUrl }, databaseEnv), 'modak-test-migration'),
    );
    await dataSource.initialize();
    const runner = dataSource.createQueryRunner();
    try {
      const migration = dataSource.migrations.find((m) => m.name === 'PendingSignupsLeaveUsers1796457600000');
      await migration!.up(runner);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }

    const users = await query<{ id: string }>(database.primaryUrl, 'SELECT id FROM users ORDER BY id');
    expect(users.map((user) => user.id).sort()).toEqual([verified, kakaoWithoutEmail].sort());
    const [after] = await query<{ assignee_id: string | null; creator_id: string }>(
      database.primaryUrl,
      'SELECT assignee_id, creator_id FROM tasks WHERE id = $1',
      [task.id],
    );
    expect(after).toEqual({ assignee_id: null, creator_id: verified });
  });
});
