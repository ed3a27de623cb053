/**
 * The baseline's two pools and the API's read routing in its plainest form: reads go to the replica unless the client
 * wrote something the replica has not replayed yet (the position is kept in Redis, as the API keeps it), writes go to
 * the primary and record the client's position. Numbered pages are read as the API's `fetchList` reads them, their
 * totals shared through the API's own CountCache.
 */
import { clearInterval, setInterval } from 'node:timers';
import pg from 'pg';
import {
  CountCache,
  lastWriteKey,
  normalizeLsn,
  RECORD_POSITION_SCRIPT,
  RedisKeys,
  unrecordedWritesKey,
} from '../../dist/apps/api/src/bench.entry.js';
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
  /** `config`: the API's database settings (`loadApiConfig(env).database`); `keyPrefix`: its Redis key prefix. */
  constructor(config, redis, keyPrefix) {
    this.primary = pool(config.primaryUrl, 'primary', config.statementTimeoutMs, config.poolSize);
    this.replica = pool(config.replicaUrls[0], 'replica', config.replicaTimeoutMs, config.poolSize);
    this.redis = redis;
    this.keys = new RedisKeys(keyPrefix);
    this.windowMs = config.readYourWritesWindowMs;
    this.replayed = null;
    this.counts = new CountCache(redis, this.keys, { freshMs: config.countCacheMs });
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
    return (await this.route(clientKey)).node;
  }

  /**
   * `reader`'s pool, and whether the client has a write within the window (the API then counts a list's total afresh,
   * so that it includes the client's own rows).
   */
  async route(clientKey) {
    if (clientKey === null) return { node: this.replayed === null ? this.primary : this.replica, ownWrites: false };
    const positions = await this.redis.mget(lastWriteKey(this.keys, clientKey), unrecordedWritesKey(this.keys));
    const replayed =
      this.replayed !== null && positions.every((position) => position === null || this.replayed >= position);
    return { node: replayed ? this.replica : this.primary, ownWrites: positions.some((position) => position !== null) };
  }

  /**
   * A numbered page as the API's `fetchList` reads it, on one client of the reading node: `perPage + 1` rows from
   * `offset` (the extra one says whether another page follows), then, unless this is the last page (or an empty one
   * past the end), the bounded count through the count cache, afresh for a client with writes of its own. `list` holds
   * the two statements and their parameters. Resolves to the page's rows, `hasNext` and the count (beyond
   * MAX_COUNTED_ROWS: "too many").
   */
  async numberedPage(clientKey, list, offset, perPage) {
    const { node, ownWrites } = await this.route(clientKey);
    const client = await node.connect();
    try {
      // As the API: page 1 in one statement, a later page's ids first and then those rows (a deferred join).
      let rows = [];
      if (offset === 0) {
        ({ rows } = await client.query(list.first(perPage + 1), list.parameters));
      } else {
        const ids = (await client.query(list.ids(offset, perPage + 1), list.parameters)).rows.map((row) => row.id);
        if (ids.length > 0) ({ rows } = await client.query(list.byIds(ids.length), [...list.parameters, ...ids]));
      }
      const hasNext = rows.length > perPage;
      const items = rows.slice(0, perPage);
      let total = offset + items.length;
      if (hasNext || (items.length === 0 && offset > 0)) {
        const count = async () => (await client.query(list.count, list.parameters)).rows[0].total;
        total = await this.counts.count(`${list.count} -- ${JSON.stringify(list.parameters)}`, count, ownWrites);
      }
      return { items, hasNext, total };
    } finally {
      client.release();
    }
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
      lastWriteKey(this.keys, clientKey),
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
}
