import { Logger } from '@nestjs/common';
import { createPool } from 'mysql2';
import type { DataSource } from 'typeorm';
import { DatabasePoolMetrics, poolUse } from './database-pool';
import { MetricsRegistry } from './metrics-registry';

const queue = (length: number) => ({ length });

describe('poolUse', () => {
  // a real pool of the installed mysql2 (it connects only when asked for a connection): a mysql2 upgrade that
  // renames what poolUse reads fails here
  const pool = createPool({ host: '127.0.0.1', connectionLimit: 7 });
  afterAll(() => new Promise((resolve) => pool.end(resolve)));

  it("reads the installed mysql2's pool", () => {
    expect(poolUse(pool)).toEqual({ inUse: 0, idle: 0, waiting: 0, max: 7 });
  });

  it('counts in use what is open and not free', () => {
    const shape = { _allConnections: queue(5), _freeConnections: queue(2), _connectionQueue: queue(4), config: { connectionLimit: 5 } };
    expect(poolUse(shape)).toEqual({ inUse: 3, idle: 2, waiting: 4, max: 5 });
  });

  it.each([
    ['nothing', undefined],
    ['a closed pool (TypeORM drops it)', null],
    ['a pool of another shape', { allConnections: [], freeConnections: [], config: { connectionLimit: 5 } }],
    ['a pool without its limit', { _allConnections: queue(1), _freeConnections: queue(1), _connectionQueue: queue(0), config: {} }],
  ])('knows nothing of %s', (_case, shape) => expect(poolUse(shape)).toBeUndefined());
});

describe('DatabasePoolMetrics', () => {
  const scrapeWith = async (dataSource: unknown) => {
    const registry = new MetricsRegistry();
    new DatabasePoolMetrics(registry, dataSource as DataSource);
    return registry.scrape();
  };

  it('reads the MySQL pool as the scrape is written', async () => {
    const pool = { _allConnections: queue(4), _freeConnections: queue(1), _connectionQueue: queue(2), config: { connectionLimit: 4 } };
    const text = await scrapeWith({ options: { type: 'mysql' }, driver: { pool } });
    expect(text).toContain('db_pool_connections{state="in_use"} 3');
    expect(text).toContain('db_pool_connections{state="idle"} 1');
    expect(text).toContain('db_pool_waiting_requests 2');
    expect(text).toContain('db_pool_max_connections 4');
  });

  it('has no pool series on SQLite', async () => {
    expect(await scrapeWith({ options: { type: 'better-sqlite3' }, driver: {} })).not.toContain('db_pool');
  });

  it('has none either for a MySQL pool it does not know, and says so at start', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    expect(await scrapeWith({ options: { type: 'mysql' }, driver: { pool: { getConnection: () => undefined } } })).not.toContain('db_pool');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('no db_pool_* metrics'));
    warn.mockRestore();
  });
});
