import type { ResultSetHeader } from 'mysql2';
import type { DataSource, EntityManager } from 'typeorm';
import { directQuery } from './direct-query';

/**
 * The few SQL expressions that differ between the engines, so that time-based conditions use the
 * database's clock (one clock for every instance) rather than each application's.
 */
export interface SqlDialect {
  /** The database's current time, as the engine stores DATETIME columns. */
  now: string;
  /** The database's current time plus the milliseconds bound to the next `?`. */
  nowPlusMs: string;
  /** The database's current time minus the milliseconds bound to the next `?`. */
  nowMinusMs: string;
  /** The database's clock as unix seconds, rounded to the nearest second. */
  unixSecondsRounded: string;
  /** Seconds from a datetime column's value to the database's current time, with fractions. */
  secondsSince(column: string): string;
}

// UTC, as TypeORM writes DATETIME columns (timezone 'Z'), whatever the server's time zone
const MYSQL: SqlDialect = {
  now: 'UTC_TIMESTAMP(3)',
  nowPlusMs: 'DATE_ADD(UTC_TIMESTAMP(3), INTERVAL ? * 1000 MICROSECOND)',
  nowMinusMs: 'DATE_SUB(UTC_TIMESTAMP(3), INTERVAL ? * 1000 MICROSECOND)',
  unixSecondsRounded: 'ROUND(UNIX_TIMESTAMP(NOW(3)))',
  secondsSince: (column) => `TIMESTAMPDIFF(MICROSECOND, ${column}, UTC_TIMESTAMP(3)) / 1000000`,
};

// TypeORM stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS.SSS' text, which compares in time order
const SQLITE: SqlDialect = {
  now: "strftime('%Y-%m-%d %H:%M:%f', 'now')",
  nowPlusMs: "strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || (? / 1000.0) || ' seconds')",
  nowMinusMs: "strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (? / 1000.0) || ' seconds')",
  unixSecondsRounded: "CAST(ROUND((julianday('now') - 2440587.5) * 86400.0) AS INTEGER)",
  secondsSince: (column) => `(julianday('now') - julianday(${column})) * 86400.0`,
};

export const sqlDialect = (dataSource: DataSource): SqlDialect => (dataSource.options.type === 'mysql' ? MYSQL : SQLITE);

/**
 * A time read from the database's clock: UTC with milliseconds, 'YYYY-MM-DD HH:MM:SS.mmm', the form the
 * datetime columns hold on both engines. Only ever compared with columns, in SQL.
 */
export type DatabaseTime = string;

/** The database's current time, for times that instances compare with each other (one clock, not one per host). */
export async function databaseNow(manager: EntityManager): Promise<DatabaseTime> {
  const [row] = await manager.query(`SELECT CAST(${sqlDialect(manager.connection).now} AS CHAR) AS now`);
  return String((row as { now: string }).now);
}

/** Runs a raw UPDATE or DELETE inside a transaction and returns how many rows it changed, on every engine. */
export async function executeCounting(manager: EntityManager, sql: string, parameters: unknown[]): Promise<number> {
  if (!manager.queryRunner) throw new Error('executeCounting runs inside a transaction');
  // better-sqlite3 answers an UPDATE with the row id: only the runner's structured result has the count
  if (manager.connection.options.type !== 'mysql') return (await manager.queryRunner.query(sql, parameters, true)).affected ?? 0;
  return (await directQuery<ResultSetHeader>(manager, sql, parameters)).affectedRows;
}
