/** Error codes of Node sockets and of PostgreSQL (SQLSTATE) that mean "the server is not reachable or not serving". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// Connection exceptions, shutdowns, too many connections, read-only transaction, statement timeout.
const SQLSTATE_UNAVAILABLE = /^(08...|57P0[123]|53300|25006|57014)$/;
const MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection is closed/i,
  /enableOfflineQueue/i,
  /command timed out/i,
  /reached the max retries per request/i,
  /Connection timeout/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Client has encountered a connection error/i,
  /Query read timeout/i,
  // Redis mid-failover, loading, out of memory or busy: ElastiCache answers these while a replica is promoted.
  /^(READONLY|LOADING|OOM|MASTERDOWN|BUSY|CLUSTERDOWN|TRYAGAIN)\b/,
];

/**
 * True when `error` says a dependency (PostgreSQL, Redis) could not be reached or stopped answering, as opposed to a
 * bug or a bad query. Looks through TypeORM's `driverError` and `cause` chains.
 */
export function isDependencyFailure(error: unknown, depth = 0): boolean {
  // Duck-typed, not `instanceof Error`: errors raised by Node's sockets may come from another realm (vm contexts).
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, name, message, driverError, cause } = error as Record<string, unknown>;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code))) return true;
  // ioredis gave up on a command; TypeORM found the connection of a multi-statement read gone (the server ended it).
  if (name === 'MaxRetriesPerRequestError' || name === 'QueryRunnerAlreadyReleasedError') return true;
  if (typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message))) return true;
  return isDependencyFailure(driverError, depth + 1) || isDependencyFailure(cause, depth + 1);
}
