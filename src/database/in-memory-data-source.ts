import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from './database.options';

/** A migrated in-memory SQLite database, for unit specs whose logic is SQL (a mock would prove nothing). */
export function inMemoryDataSource(): Promise<DataSource> {
  return new DataSource(
    buildDataSourceOptions({ type: 'sqlite', path: ':memory:', host: '', port: 0, username: '', password: '', database: '', poolSize: 1 }),
  ).initialize();
}
