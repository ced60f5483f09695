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
