import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, LessThan, Repository } from 'typeorm';
import { problem } from '../common/problem';
import { isUniqueViolation } from '../database/driver-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { IdempotencyKey } from './entities/idempotency-key.entity';
import { IdempotencyErrors } from './idempotency.errors';

/** Stored answers are kept this long (the contract asks for at least 24 hours). */
export const RETENTION_MS = 24 * 60 * 60 * 1000;
/** A claim still unanswered after this long belongs to a request that died with its server. */
export const ABANDONED_AFTER_MS = 60 * 1000;

export type Claim = { kind: 'new' } | { kind: 'replay'; statusCode: number; body: unknown };

const inProgress = () => problem(IdempotencyErrors.IDEMPOTENCY_REQUEST_IN_PROGRESS, 'A request with this Idempotency-Key is still being processed; retry later');

/** Owns `idempotency_keys`: the claims and stored answers of requests sent with an Idempotency-Key. */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    @InjectRepository(IdempotencyKey) private readonly keysRepository: Repository<IdempotencyKey>,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Claims (scope, key) for a new request, or answers with what the first request with this key got.
   * The claim is the row's primary key, so of two concurrent first requests exactly one wins.
   */
  async claim(scope: string, key: string, requestHash: string): Promise<Claim> {
    try {
      return await this.tx.run(async ({ manager }) => {
        const now = Date.now();
        const existing = await manager.findOne(IdempotencyKey, { where: { scope, key } });
        if (existing && existing.createdAt.getTime() > now - RETENTION_MS) {
          if (existing.requestHash !== requestHash) {
            throw problem(IdempotencyErrors.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used with a different request; use a new key for a new request');
          }
          if (existing.statusCode !== null) return { kind: 'replay', statusCode: existing.statusCode, body: JSON.parse(existing.responseBody ?? 'null') };
          if (existing.createdAt.getTime() > now - ABANDONED_AFTER_MS) throw inProgress();
        }
        if (existing) await manager.delete(IdempotencyKey, { scope, key });
        await manager.insert(IdempotencyKey, { scope, key, requestHash, statusCode: null, responseBody: null, createdAt: new Date(now) });
        return { kind: 'new' };
      });
    } catch (error) {
      // another request inserted the same claim between our read and our insert
      if (isUniqueViolation(error)) throw inProgress();
      throw error;
    }
  }

  /** Stores the answer the claimed request got, for its retries. */
  async complete(scope: string, key: string, statusCode: number, body: unknown): Promise<void> {
    await this.tx.run(({ manager }) =>
      manager.update(IdempotencyKey, { scope, key, statusCode: IsNull() }, { statusCode, responseBody: JSON.stringify(body) }),
    );
  }

  /** Frees the claim of a request that failed on the server's side, so that a retry runs it again. */
  async release(scope: string, key: string): Promise<void> {
    await this.tx.run(({ manager }) => manager.delete(IdempotencyKey, { scope, key, statusCode: IsNull() }));
  }

  /** Forgets answers older than the retention (the scheduled purge job's work). */
  async purgeExpired(): Promise<number> {
    const { affected } = await this.tx.run(({ manager }) =>
      manager.delete(IdempotencyKey, { createdAt: LessThan(new Date(Date.now() - RETENTION_MS)) }),
    );
    if (affected) this.logger.log(`Purged ${affected} expired idempotency key(s)`);
    return affected ?? 0;
  }
}
