import { createTestDatabase, query, TEST_APP_ROLE, type TestDatabase } from '@app/testing';
import { startApi, testApiEnv, type TestApi } from './support/api.js';

const sqlStateOf = async (url: string, sql: string): Promise<string | undefined> =>
  query(url, sql).then(
    () => undefined,
    (error: { code?: string }) => error.code ?? 'no code',
  );

// The apps under test log in as the app role, which the migrator created with the privileges production's api gets.
describe('the app role', () => {
  let database: TestDatabase;
  let api: TestApi;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startApi(testApiEnv(database));
  });

  afterAll(async () => {
    await api?.close();
  });

  it('is what the api logs in as, on the primary and on the replica', async () => {
    // A read and a write, so that both pools have opened connections.
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    const sessions = await query<{ usename: string }>(
      database.ownerUrl,
      "SELECT DISTINCT usename FROM pg_stat_activity WHERE application_name LIKE 'modak-api-primary%' AND datname = $1",
      [database.name],
    );
    expect(sessions.map((row) => row.usename)).toEqual([TEST_APP_ROLE.user]);
    expect(api.config.database.primaryUrl).toContain(`//${TEST_APP_ROLE.user}:`);
    expect(api.config.database.replicaUrls.every((url) => url.includes(`//${TEST_APP_ROLE.user}:`))).toBe(true);
    const [who] = await query<{ user: string }>(database.replicaUrl, 'SELECT current_user AS user');
    expect(who.user).toBe(TEST_APP_ROLE.user);
  });

  it('has no attribute beyond logging in', async () => {
    const [role] = await query(
      database.ownerUrl,
      `SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin
         FROM pg_roles WHERE rolname = $1`,
      [TEST_APP_ROLE.user],
    );
    expect(role).toEqual({
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolreplication: false,
      rolbypassrls: false,
      rolcanlogin: true,
    });
  });

  it('reads and writes the tables', async () => {
    const email = `role-${Date.now()}@example.com`;
    const [row] = await query<{ id: string }>(
      database.primaryUrl,
      `INSERT INTO users (email, password_hash, nickname, email_verified_at) VALUES ($1, 'x', 'n', now()) RETURNING id`,
      [email],
    );
    await query(database.primaryUrl, `UPDATE users SET nickname = 'm' WHERE id = $1`, [row.id]);
    expect(await query(database.primaryUrl, 'SELECT nickname FROM users WHERE id = $1', [row.id])).toEqual([
      { nickname: 'm' },
    ]);
    await query(database.primaryUrl, 'DELETE FROM users WHERE id = $1', [row.id]);
    expect(await query(database.primaryUrl, 'SELECT 1 FROM migrations LIMIT 1')).toHaveLength(1);
  });

  // 42501: insufficient_privilege. 42501 is also what "must be owner" gives for ALTER, DROP and TRUNCATE.
  it.each([
    ['CREATE TABLE', 'CREATE TABLE intruder (id int)'],
    ['CREATE TEMP TABLE', 'CREATE TEMP TABLE intruder (id int)'],
    ['CREATE SCHEMA', 'CREATE SCHEMA intruder'],
    ['CREATE FUNCTION', 'CREATE FUNCTION intruder() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$'],
    ['CREATE ROLE', 'CREATE ROLE intruder LOGIN'],
    ['CREATE DATABASE', 'CREATE DATABASE intruder'],
    ['ALTER TABLE', 'ALTER TABLE users ADD COLUMN intruder int'],
    ['ALTER ROLE', 'ALTER ROLE modak_app CREATEROLE'],
    ['DROP TABLE', 'DROP TABLE boards'],
    ['TRUNCATE', 'TRUNCATE users CASCADE'],
    ['CREATE INDEX', 'CREATE INDEX intruder ON users (nickname)'],
    ['write the migrations table', 'DELETE FROM migrations'],
  ])('cannot %s', async (_, sql) => {
    expect(await sqlStateOf(database.primaryUrl, sql)).toBe('42501');
  });

  it('gets the same privileges on tables a later migration adds, with no grant of its own', async () => {
    await query(database.ownerUrl, 'CREATE TABLE later_table (id serial PRIMARY KEY, note text)');
    try {
      await query(database.primaryUrl, "INSERT INTO later_table (note) VALUES ('granted by default')");
      expect(await query(database.primaryUrl, 'SELECT note FROM later_table')).toEqual([
        { note: 'granted by default' },
      ]);
      expect(await sqlStateOf(database.primaryUrl, 'DROP TABLE later_table')).toBe('42501');
    } finally {
      await query(database.ownerUrl, 'DROP TABLE later_table');
    }
  });
});
