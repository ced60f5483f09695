import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull, LessThan, Repository } from 'typeorm';
import { problem } from '../common/problem';
import { isUniqueViolation } from '../database/driver-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { IdempotencyKey } from './entities/idempotency-key.entity';
import { IdempotencyErrors } from './idempotency.errors';

/** Stored answers are kept this long (the contract asks for at least 24 hours). */
export const RETENTION_MS = 24 * 60 * 60 * 1000;
/**
 * A claim still unanswered after this long may be taken over by a retry. That is safe whatever became of
 * the first request: its work commits only together with its answer, and only while the claim is its own.
 */
export const ABANDONED_AFTER_MS = 60 * 1000;

/** The claim a request holds on its key; the work it guards records its answer with it (`recordAnswer`). */
export interface IdempotencyClaim {
  readonly scope: string;
  readonly key: string;
  readonly token: string;
}

export type Claim = { kind: 'new'; claim: IdempotencyClaim } | { kind: 'replay'; statusCode: number; body: unknown };

const inProgress = () =>
  problem(IdempotencyErrors.IDEMPOTENCY_REQUEST_IN_PROGRESS, 'A request with this Idempotency-Key is still being processed; retry later');

/**
 * Owns `idempotency_keys`: the claims and stored answers of requests sent with an Idempotency-Key.
 *
 * A successful request's answer is written by `recordAnswer` inside the transaction that does its work, so
 * the work and its answer commit together or not at all: a key whose work committed always replays it,
 * whatever happens to the process afterwards, and is never freed.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger(IdempotencyService.name);

  constructor(
    @InjectRepository(IdempotencyKey) private readonly keysRepository: Repository<IdempotencyKey>,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * Claims (scope, key) for a new request, or answers with what the first request with this key got.
   * A new claim is the row's primary key, so of two concurrent first requests exactly one inserts it; an
   * expired or abandoned row is taken over by a conditional UPDATE, so of two retries exactly one does.
   * The loser reads the row again, in a new transaction: the winner may have answered by then.
   */
  async claim(scope: string, key: string, requestHash: string): Promise<Claim> {
    const outcome = await this.tryClaim(scope, key, requestHash);
    if (outcome !== 'lost-race') return outcome;
    const second = await this.tryClaim(scope, key, requestHash);
    if (second === 'lost-race') throw inProgress();
    return second;
  }

  /**
   * Stores the answer to a claimed request in the caller's transaction, the one that commits its work.
   * Only while the claim is still this request's own and unanswered: if a retry took it over (this request
   * ran past ABANDONED_AFTER_MS), this throws and the caller's transaction, its work with it, rolls back.
   */
  async recordAnswer(manager: EntityManager, claim: IdempotencyClaim, statusCode: number, body: unknown): Promise<void> {
    if (!(await this.answer(manager, claim, statusCode, body))) {
      throw problem(
        IdempotencyErrors.IDEMPOTENCY_REQUEST_IN_PROGRESS,
        'A retry with this Idempotency-Key took over this request; retry later for its answer',
      );
    }
  }

  /** Stores a refusal (a client error: nothing was committed) for the retries, if the claim is still this request's. */
  async complete(claim: IdempotencyClaim, statusCode: number, body: unknown): Promise<void> {
    await this.tx.run(({ manager }) => this.answer(manager, claim, statusCode, body));
  }

  /**
   * Frees the claim of a request that failed on the server's side, so that a retry runs it again. Only an
   * unanswered claim: one whose work committed holds its answer, and stays.
   */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.tx.run(({ manager }) =>
      manager.delete(IdempotencyKey, { scope: claim.scope, key: claim.key, claimToken: claim.token, statusCode: IsNull() }),
    );
  }

  /** Forgets answers older than the retention (the scheduled purge job's work). */
  async purgeExpired(): Promise<number> {
    const { affected } = await this.tx.run(({ manager }) =>
      manager.delete(IdempotencyKey, { createdAt: LessThan(new Date(Date.now() - RETENTION_MS)) }),
    );
    if (affected) this.logger.log(`Purged ${affected} expired idempotency key(s)`);
    return affected ?? 0;
  }

  private async tryClaim(scope: string, key: string, requestHash: string): Promise<Claim | 'lost-race'> {
    try {
      return await this.tx.run(async ({ manager }) => {
        const now = Date.now();
        const existing = await manager.findOne(IdempotencyKey, { where: { scope, key } });
        if (existing && existing.createdAt.getTime() > now - RETENTION_MS) {
          if (existing.requestHash !== requestHash) {
            throw problem(
              IdempotencyErrors.IDEMPOTENCY_KEY_REUSED,
              'This Idempotency-Key was used with a different request; use a new key for a new request',
            );
          }
          // an answered key replays however old its claim looks: its work committed with that answer
          if (existing.statusCode !== null)
            return { kind: 'replay', statusCode: existing.statusCode, body: JSON.parse(existing.responseBody ?? 'null') };
          if (existing.createdAt.getTime() > now - ABANDONED_AFTER_MS) throw inProgress();
        }
        const claim: IdempotencyClaim = { scope, key, token: randomUUID() };
        const row = { requestHash, claimToken: claim.token, statusCode: null, responseBody: null, createdAt: new Date(now) };
        if (!existing) {
          await manager.insert(IdempotencyKey, { scope, key, ...row });
          return { kind: 'new', claim };
        }
        // expired, or abandoned: replace the row only if it is still the one read (same holder, still
        // unanswered if it was): a plain DELETE + INSERT would let a second retry delete the first's claim
        const { affected } = await manager.update(
          IdempotencyKey,
          { scope, key, claimToken: existing.claimToken ?? IsNull(), statusCode: existing.statusCode ?? IsNull() },
          row,
        );
        return affected === 1 ? { kind: 'new', claim } : 'lost-race';
      });
    } catch (error) {
      // another request inserted the same claim between our read and our insert
      if (isUniqueViolation(error)) return 'lost-race';
      throw error;
    }
  }

  private async answer(manager: EntityManager, claim: IdempotencyClaim, statusCode: number, body: unknown): Promise<boolean> {
    const { affected } = await manager.update(
      IdempotencyKey,
      { scope: claim.scope, key: claim.key, claimToken: claim.token, statusCode: IsNull() },
      { statusCode, responseBody: JSON.stringify(body) },
    );
    return affected === 1;
  }
}
