import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/configuration';

/**
 * How long mysql2 waits for a new connection's handshake. An unreachable database then fails a request
 * (503 DATABASE_UNAVAILABLE) in well under 5 s instead of mysql2's default 10 s; a refused or reset
 * connection fails at once anyway.
 */
const CONNECT_TIMEOUT_MS = 2000;

/** The one place TypeORM is configured; the app module and the migration CLI both call it. */
export function buildDataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const shared = {
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsRun: true,
    migrationsTransactionMode: 'each' as const,
    synchronize: false,
  };
  if (db.type === 'mysql') {
    return {
      ...shared,
      type: 'mysql',
      host: db.host,
      port: db.port,
      username: db.username,
      password: db.password,
      database: db.database,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: db.poolSize,
      // mysql2 otherwise captures a stack trace on every query, for errors that TypeORM wraps in a
      // QueryFailedError with its own (async) stack anyway: a few per cent of the CPU of every request
      trace: false,
      // mysql2's createPool options; mysql2 has no bound on the wait for a free connection (no acquireTimeout)
      extra: { connectionLimit: db.poolSize, waitForConnections: true, connectTimeout: CONNECT_TIMEOUT_MS },
    };
  }
  return {
    ...shared,
    type: 'better-sqlite3',
    database: db.path,
    enableWAL: db.path !== ':memory:',
    timeout: 5000,
  };
}
