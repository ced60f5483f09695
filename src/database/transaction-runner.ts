import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

const MAX_ATTEMPTS = 6;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 250;

/**
 * Runs a unit of work in one database transaction.
 *
 * MySQL/MariaDB (and Galera, whose certification failures also surface as 1213): a deadlock (1213) or lock
 * wait timeout (1205) rolls the whole transaction back, so it is retried from the start with exponential,
 * fully jittered backoff; the client never sees it.
 *
 * SQLite: TypeORM's better-sqlite3 driver runs every transaction on its single connection, so two
 * concurrent transactions would interleave on it. Work is therefore queued and run one transaction at a
 * time; every write in this code base goes through here for that reason. Because better-sqlite3 is
 * synchronous, a transaction then runs to its end before any other request is handled, so reads never see
 * it half done, provided `work` awaits nothing but the database: hash passwords, call other services and
 * the like before or after it (test/isolation.e2e-spec.ts holds this).
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private readonly serialize: boolean;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!this.serialize) return this.withRetry(work);
    const result = this.tail.then(() => this.withRetry(work));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async withRetry<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction(work);
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
        const delay = Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
        this.logger.debug(`transaction attempt ${attempt} failed (${describe(error)}); retrying in ${delay.toFixed(0)} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}

/** MySQL 1213 deadlock / Galera certification failure, 1205 lock wait timeout, SQLite busy or locked. */
export function isRetryable(error: unknown): boolean {
  const driverError = (error as { driverError?: { errno?: number; code?: string } })?.driverError ?? error;
  const { errno, code } = (driverError ?? {}) as { errno?: number; code?: string };
  return errno === 1213 || errno === 1205 || code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

function describe(error: unknown): string {
  const driverError = (error as { driverError?: { code?: string } }).driverError;
  return driverError?.code ?? (error as Error).message;
}
