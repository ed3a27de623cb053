/**
 * The baseline's two pools and the API's read routing in its plainest form: reads go to the replica unless the client
 * wrote something the replica has not replayed yet (the position is kept in Redis, as the API keeps it), writes go to
 * the primary and record the client's position.
 */
import { clearInterval, setInterval } from 'node:timers';
import pg from 'pg';
import { normalizeLsn, RECORD_POSITION_SCRIPT } from '../../dist/libs/database/src/routing/lsn.js';
import { SQL } from './sql.js';

const pool = (url, name, statementTimeoutMs, size) =>
  new pg.Pool({
    connectionString: url,
    max: size,
    application_name: `modak-baseline-${name}`,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + 1_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });

export class Database {
  constructor({ primaryUrl, replicaUrl, poolSize, redis, keyPrefix, readYourWritesWindowMs }) {
    this.primary = pool(primaryUrl, 'primary', 10_000, poolSize);
    this.replica = pool(replicaUrl, 'replica', 3_000, poolSize);
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.windowMs = readYourWritesWindowMs;
    this.replayed = null;
  }

  /** Learns the replica's position now and then twice a second, as the API's monitor does. */
  async start() {
    await this.probe();
    this.monitor = setInterval(() => void this.probe(), 500);
  }

  async stop() {
    clearInterval(this.monitor);
    await Promise.all([this.primary.end(), this.replica.end()]);
  }

  /**
   * The pool that serves `clientKey`'s reads (null for an anonymous client): one Redis lookup per request, of the
   * client's last write and of the shared floor of writes that could not be recorded, as the API reads them.
   */
  async reader(clientKey) {
    if (clientKey === null || this.replayed === null) return this.replayed === null ? this.primary : this.replica;
    const positions = await this.redis.mget(this.lastWriteKey(clientKey), `${this.keyPrefix}:db:unrecorded-writes`);
    return positions.every((position) => position === null || this.replayed >= position) ? this.replica : this.primary;
  }

  /** Runs `work(client)` in one transaction on the primary, then records the client's write position. */
  async transaction(clientKey, work) {
    const client = await this.primary.connect();
    let result;
    try {
      await client.query('START TRANSACTION');
      result = await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await this.recordWrite(clientKey);
    return result;
  }

  /** Makes the primary's current position the client's last write. */
  async recordWrite(clientKey) {
    const { rows } = await this.primary.query(SQL.writePosition);
    await this.redis.eval(
      RECORD_POSITION_SCRIPT,
      1,
      this.lastWriteKey(clientKey),
      normalizeLsn(rows[0].lsn),
      this.windowMs,
    );
  }

  async probe() {
    try {
      await this.primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
      const { rows } = await this.replica.query(SQL.replayPosition);
      this.replayed = rows[0].lsn === null ? null : normalizeLsn(rows[0].lsn);
    } catch {
      this.replayed = null;
    }
  }

  lastWriteKey(clientKey) {
    return `${this.keyPrefix}:db:last-write:${clientKey}`;
  }
}
