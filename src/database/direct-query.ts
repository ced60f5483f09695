import type { PoolConnection } from 'mysql2';
import { type EntityManager, QueryFailedError } from 'typeorm';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';

/**
 * Runs a hand-written statement and answers what `manager.query` answers (mysql2's rows or result header;
 * better-sqlite3's rows or row id). Inside a MySQL transaction it is sent straight to the transaction's own
 * mysql2 connection, skipping what TypeORM's query runner adds around each statement for this code base's
 * setup (no query logging, no subscribers, no query timeout): its logger and broadcaster calls, a promise
 * wrapper per statement and the result copying. A failure is thrown as TypeORM throws it, a QueryFailedError
 * holding the driver's error, so that driver-errors.ts classifies it the same (deadlock retries, unique
 * violations, lost connections). Elsewhere (SQLite, no transaction, a released runner) it is `manager.query`.
 * For the statements of the hot write paths.
 */
export function directQuery<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T> {
  const connection = transactionConnection(manager);
  if (!connection) return manager.query(sql, parameters) as Promise<T>;
  return new Promise<T>((resolve, reject) => {
    try {
      connection.query(sql, parameters, (error, result) =>
        error ? reject(new QueryFailedError(sql, parameters, error)) : resolve(result as T),
      );
    } catch (error) {
      // as TypeORM's promise wrapper would: a statement mysql2 cannot even format fails like one the server refused
      reject(new QueryFailedError(sql, parameters, error as Error));
    }
  });
}

/** The mysql2 connection a MySQL transaction holds (connected when it began), if the manager runs in one. */
function transactionConnection(manager: EntityManager): PoolConnection | undefined {
  const runner = manager.queryRunner;
  if (!(runner instanceof MysqlQueryRunner) || runner.isReleased || !runner.isTransactionActive) return undefined;
  // protected in TypeORM's typings; set by connect(), which START TRANSACTION went through
  return (runner as unknown as { databaseConnection?: PoolConnection }).databaseConnection;
}
