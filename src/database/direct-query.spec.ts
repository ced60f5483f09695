import type { PoolConnection } from 'mysql2';
import { EntityManager, QueryFailedError } from 'typeorm';
import { MysqlQueryRunner } from 'typeorm/driver/mysql/MysqlQueryRunner';
import { directQuery } from './direct-query';
import { isConnectionError, isRetryable, isUniqueViolation } from './driver-errors';
import { inMemoryDataSource } from './in-memory-data-source';

type Callback = (error: Error | null, result?: unknown) => void;

const driverError = (props: Record<string, unknown>) => Object.assign(new Error('driver error'), props);

/** A manager in a MySQL transaction whose connection answers `answer`, and whose manager.query must not be used. */
function mysqlTransaction(answer: (sql: string, parameters: unknown[], callback: Callback) => void, state = {}) {
  const connection = { query: jest.fn(answer) } as unknown as PoolConnection;
  const runner = Object.assign(Object.create(MysqlQueryRunner.prototype) as MysqlQueryRunner, {
    isReleased: false,
    isTransactionActive: true,
    databaseConnection: connection,
    ...state,
  });
  const manager = { queryRunner: runner, query: jest.fn(async () => 'through TypeORM') } as unknown as EntityManager;
  return { manager, connection };
}

describe('directQuery', () => {
  it("sends the statement on the transaction's connection and answers the driver's result", async () => {
    const header = { affectedRows: 1, insertId: 42 };
    const { manager, connection } = mysqlTransaction((_sql, _parameters, callback) => callback(null, header));
    await expect(directQuery(manager, 'INSERT INTO t (a) VALUES (?)', [1])).resolves.toBe(header);
    expect(connection.query).toHaveBeenCalledWith('INSERT INTO t (a) VALUES (?)', [1], expect.any(Function));
    expect(manager.query).not.toHaveBeenCalled();
  });

  it.each([
    ['a deadlock, which the transaction runner retries', driverError({ errno: 1213, code: 'ER_LOCK_DEADLOCK' }), isRetryable],
    ['a lock wait timeout, retried too', driverError({ errno: 1205, code: 'ER_LOCK_WAIT_TIMEOUT' }), isRetryable],
    ['a duplicate key', driverError({ errno: 1062, code: 'ER_DUP_ENTRY' }), isUniqueViolation],
    ['a lost connection (503)', driverError({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), isConnectionError],
  ])('fails on %s as TypeORM fails: a QueryFailedError holding the driver error', async (_name, error, classify) => {
    const { manager } = mysqlTransaction((_sql, _parameters, callback) => callback(error));
    const failure = await directQuery(manager, 'UPDATE t SET a = ?', [1]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure).toMatchObject({ driverError: error, query: 'UPDATE t SET a = ?', parameters: [1] });
    expect(classify(failure)).toBe(true);
  });

  it('wraps what mysql2 throws before sending (a closed connection) the same way', async () => {
    const closed = driverError({ fatal: true });
    const { manager } = mysqlTransaction(() => {
      throw closed;
    });
    const failure = await directQuery(manager, 'SELECT 1', []).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(isConnectionError(failure)).toBe(true);
  });

  it.each([
    ['outside a transaction', { isTransactionActive: false }],
    ['once the runner is released', { isReleased: true }],
  ])('goes through manager.query %s', async (_name, state) => {
    const { manager, connection } = mysqlTransaction(() => undefined, state);
    await expect(directQuery(manager, 'SELECT 1', [])).resolves.toBe('through TypeORM');
    expect(connection.query).not.toHaveBeenCalled();
  });

  it('goes through manager.query on SQLite, in and out of a transaction', async () => {
    const dataSource = await inMemoryDataSource();
    try {
      await expect(directQuery(dataSource.manager, 'SELECT ? AS one', [1])).resolves.toEqual([{ one: 1 }]);
      await dataSource.transaction(async (manager) => expect(await directQuery(manager, 'SELECT ? AS one', [1])).toEqual([{ one: 1 }]));
    } finally {
      await dataSource.destroy();
    }
  });
});
