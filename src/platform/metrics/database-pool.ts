import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';
import { MetricsRegistry } from './metrics-registry';

/** What the MySQL pool is doing at one moment. */
export interface PoolUse {
  inUse: number;
  idle: number;
  /** Requests queued for a connection because every one allowed is in use. */
  waiting: number;
  max: number;
}

interface Mysql2Pool {
  _allConnections: { length: number };
  _freeConnections: { length: number };
  _connectionQueue: { length: number };
  config: { connectionLimit: number };
}

/**
 * Reads a mysql2 pool's use, or undefined when the pool is not one whose shape this knows. mysql2 has no public API
 * for it (sidorares/node-mysql2#3434); its maintainers point at these fields, which are checked before they are read.
 * `src/platform/metrics/database-pool.spec.ts` pins them to the installed mysql2, and the MariaDB suite checks the series.
 */
export function poolUse(pool: unknown): PoolUse | undefined {
  const candidate = pool as Partial<Mysql2Pool> | undefined;
  const lengths = [candidate?._allConnections, candidate?._freeConnections, candidate?._connectionQueue].map((queue) => queue?.length);
  const max = candidate?.config?.connectionLimit;
  if (!lengths.every(Number.isInteger) || !Number.isInteger(max)) return undefined;
  const [all, free, queued] = lengths as number[];
  return { inUse: all - free, idle: free, waiting: queued, max: max! };
}

/**
 * The MySQL pool behind TypeORM's driver, read as the scrape is written out (after the scrape's own reads have
 * finished or been given up on): `db_pool_connections{state="in_use"|"idle"}`, `db_pool_waiting_requests`,
 * `db_pool_max_connections`. On SQLite (one embedded connection, no pool) there are no such series, nor if mysql2's
 * pool ever stops looking as `poolUse` expects (a warning says so at start).
 */
@Injectable()
export class DatabasePoolMetrics {
  private readonly logger = new Logger(DatabasePoolMetrics.name);

  constructor(
    metrics: MetricsRegistry,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    if (dataSource.options.type !== 'mysql') return;
    if (!this.read()) {
      this.logger.warn('The mysql2 pool does not look as expected: no db_pool_* metrics');
      return;
    }
    // each collect reads the pool; prom-client calls them all in the same tick as it writes the scrape out, so they agree
    const read = () => this.read();
    const connections: Gauge<'state'> = metrics.gauge({
      name: 'db_pool_connections',
      help: 'Open connections of the database pool, in use or idle',
      labelNames: ['state'] as const,
      collect: () => {
        const use = read();
        connections.set({ state: 'in_use' }, use?.inUse ?? 0);
        connections.set({ state: 'idle' }, use?.idle ?? 0);
      },
    });
    const waiting: Gauge = metrics.gauge({
      name: 'db_pool_waiting_requests',
      help: 'Requests waiting for a free pool connection',
      collect: () => {
        waiting.set(read()?.waiting ?? 0);
      },
    });
    const max: Gauge = metrics.gauge({
      name: 'db_pool_max_connections',
      help: 'Connections the pool may open (DB_POOL_SIZE)',
      collect: () => {
        max.set(read()?.max ?? 0);
      },
    });
  }

  private read(): PoolUse | undefined {
    // TypeORM's MysqlDriver keeps the mysql2 pool it created in `pool` (`poolCluster` with replication, unused
    // here); undefined once the app has closed it
    return poolUse((this.dataSource.driver as { pool?: unknown }).pool);
  }
}
