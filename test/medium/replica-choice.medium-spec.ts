import { OverloadedError } from '@app/core';
import { createTestDatabase, freePort, query, type TestDatabase } from '@app/testing';
import { eventually } from '../support/http.js';
import { asClient, readServedBy, startMedium, type Medium } from './support/medium.js';

// Which node serves a read when a replica is down, slow, failing a statement or losing its connection. Nothing here
// pauses replay or stops a server, so it runs on the run's shared cluster.
describe('replica choice', () => {
  let database: TestDatabase;
  let unreachable: string;
  const started: Medium[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    // A replica URL where nothing listens: a replica that is down from the start.
    const url = new URL(database.replicaUrl);
    url.port = String(await freePort());
    unreachable = url.toString();
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((medium) => medium.close()));
  });

  const instance = async (env: Record<string, string> = {}) => {
    const medium = await startMedium(database, () => ({}), env);
    started.push(medium);
    return medium.database;
  };

  it('skips a replica that does not answer: another serves every read, and readiness is not degraded', async () => {
    const routing = await instance({ DATABASE_REPLICA_URLS: `${unreachable},${database.replicaUrl}` });
    for (let i = 0; i < 6; i += 1) await expect(readServedBy(routing, `user:${i}`)).resolves.toBe('replica');
    expect(routing.counters).toMatchObject({ replicaReads: 6, fallbacks: 0 });

    const health = await routing.health();
    expect(health.replicas).toEqual([
      expect.objectContaining({ name: 'replica-1', up: false, lagging: false }),
      expect.objectContaining({ name: 'replica-2', up: true, lagging: false }),
    ]);
    expect(health.degraded).toBe(false);
  });

  it('reads from the primary, and says degraded, when no replica answers', async () => {
    const routing = await instance({ DATABASE_REPLICA_URLS: unreachable });
    await expect(readServedBy(routing)).resolves.toBe('primary');
    await expect(readServedBy(routing, 'user:someone')).resolves.toBe('primary');
    expect(routing.counters).toMatchObject({ replicaReads: 0, primaryReads: 2 });
    expect((await routing.health()).degraded).toBe(true);
  });

  it('sheds a replica read that outlasts the replica timeout, never moving it to the primary, and keeps the replica', async () => {
    const routing = await instance({ DATABASE_REPLICA_TIMEOUT_MS: '200' });
    const slow = asClient(undefined, () => routing.read((manager) => manager.query('SELECT pg_sleep(2)')));
    await expect(slow).rejects.toBeInstanceOf(OverloadedError);
    expect(routing.counters).toMatchObject({ primaryReads: 0, fallbacks: 0 });
    await expect(readServedBy(routing)).resolves.toBe('replica');
  });

  it('hands back a statement that fails on the replica as it failed, without retrying it on the primary', async () => {
    const routing = await instance();
    const broken = asClient(undefined, () => routing.read((manager) => manager.query('SELECT * FROM no_such_table')));
    await expect(broken).rejects.toMatchObject({ driverError: { code: '42P01' } });
    expect(routing.counters).toMatchObject({ primaryReads: 0, fallbacks: 0 });
    await expect(readServedBy(routing)).resolves.toBe('replica');
  });

  it('moves a read whose replica connection dies under it to the primary, and takes the replica back once it answers', async () => {
    const routing = await instance();
    // On the replica the work holds its statement until the connection is ended; on the primary it answers at once.
    const served = asClient(undefined, () =>
      routing.read(async (manager) => {
        const [{ replica }] = await manager.query<{ replica: boolean }[]>('SELECT pg_is_in_recovery() AS replica');
        if (replica) await manager.query("SELECT pg_sleep(10), 'held by the medium test'");
        return replica ? 'replica' : 'primary';
      }),
    );
    const held = () =>
      query<{ pid: number }>(
        database.replicaUrl,
        "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%held by the medium test%' AND pid <> pg_backend_pid()",
        [database.name],
      );
    await eventually(async () => (await held()).length === 1);
    await query(database.replicaUrl, 'SELECT pg_terminate_backend($1)', [(await held())[0].pid]);

    await expect(served).resolves.toBe('primary');
    expect(routing.counters.fallbacks).toBe(1);
    // The monitor finds the replica answering on its own connection and puts it back.
    await eventually(async () => (await readServedBy(routing)) === 'replica');
  });
});
