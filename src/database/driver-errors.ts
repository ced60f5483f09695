/** What the database drivers' errors mean, for every engine the service runs on. */

interface DriverError {
  errno?: number;
  code?: string;
}

/** TypeORM wraps the driver's error in QueryFailedError.driverError; some paths throw it bare. */
function driverErrorOf(error: unknown): DriverError {
  const wrapped = (error as { driverError?: DriverError } | null | undefined)?.driverError;
  return (wrapped ?? error ?? {}) as DriverError;
}

/** A unique index refused the row: MySQL 1062, SQLite's UNIQUE (or PRIMARY KEY) constraint. */
export function isUniqueViolation(error: unknown): boolean {
  const { errno, code } = driverErrorOf(error);
  return errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/**
 * Worth running the whole transaction again: MySQL 1213 deadlock (also a Galera certification failure),
 * 1205 lock wait timeout, SQLite busy or locked.
 */
export function isRetryable(error: unknown): boolean {
  const { errno, code } = driverErrorOf(error);
  return errno === 1213 || errno === 1205 || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/** The driver's own name for the error, for logs. */
export function describeDriverError(error: unknown): string {
  return driverErrorOf(error).code ?? (error as Error).message;
}

/**
 * Error codes meaning "the database cannot be reached right now", not "this statement is wrong":
 * the socket (refused, reset, timed out, unreachable, unknown host), mysql2 (the server closed the
 * connection, a query got no answer in time), the server (too many connections, shutting down, this
 * connection killed or timed out).
 */
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);

/**
 * Whether a database call failed because the database is unreachable (MySQL/MariaDB through mysql2), so
 * that the request may succeed later: answered 503 DATABASE_UNAVAILABLE rather than 500. TypeORM throws
 * a failed connect as the driver's own error and a failed query as a QueryFailedError holding it.
 */
export function isConnectionError(error: unknown): boolean {
  const driverError = (error as { driverError?: unknown })?.driverError ?? error;
  const { code, fatal } = (driverError ?? {}) as { code?: unknown; fatal?: unknown };
  if (typeof code === 'string') return CONNECTION_ERROR_CODES.has(code);
  // mysql2's "Can't add new command when connection is in closed state": a pooled connection that died
  return fatal === true;
}
