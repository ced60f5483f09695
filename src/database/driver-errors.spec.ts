import { QueryFailedError } from 'typeorm';
import { isConnectionError } from './driver-errors';

const driverError = (props: Record<string, unknown>) => Object.assign(new Error('driver error'), props);

describe('isConnectionError', () => {
  it.each([
    ['connection refused (connect)', driverError({ code: 'ECONNREFUSED', errno: -111, fatal: true })],
    ['connect timeout', driverError({ code: 'ETIMEDOUT', fatal: true })],
    ['reset', driverError({ code: 'ECONNRESET', fatal: true })],
    ['too many connections', driverError({ code: 'ER_CON_COUNT_ERROR', errno: 1040 })],
    ['server shutting down', driverError({ code: 'ER_SERVER_SHUTDOWN', errno: 1053 })],
    ['a pooled connection that died', driverError({ fatal: true })],
    ['connection lost under a query', new QueryFailedError('SELECT 1', [], driverError({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }))],
    ['query timeout', new QueryFailedError('SELECT 1', [], driverError({ code: 'PROTOCOL_SEQUENCE_TIMEOUT' }))],
  ])('recognises %s', (_name, error) => expect(isConnectionError(error)).toBe(true));

  it.each([
    ['a duplicate key', new QueryFailedError('INSERT …', [], driverError({ code: 'ER_DUP_ENTRY', errno: 1062 }))],
    ['a deadlock (retried elsewhere)', new QueryFailedError('UPDATE …', [], driverError({ code: 'ER_LOCK_DEADLOCK', errno: 1213 }))],
    ['wrong credentials', driverError({ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045, fatal: true })],
    ['SQLite busy', new QueryFailedError('UPDATE …', [], driverError({ code: 'SQLITE_BUSY' }))],
    ['a plain error', new Error('boom')],
    ['nothing', undefined],
  ])('leaves %s alone', (_name, error) => expect(isConnectionError(error)).toBe(false));
});
