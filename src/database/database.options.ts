import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import type { DatabaseConfig } from '../config/configuration';

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
      extra: { connectionLimit: db.poolSize, waitForConnections: true },
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
