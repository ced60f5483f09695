import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type Actor, UNATTRIBUTED } from '../common/actor';
import { eventsConfig, type EventsConfig } from '../config/configuration';
import type { EventType, NewEvent } from '../events/event';
import { writeToOutbox } from '../events/outbox';
import { currentActor, currentRequestId } from '../platform/request-context';
import { describeDriverError, isRetryable } from './driver-errors';

/**
 * Enough for a hot row contended from every node of a Galera cluster (certification conflicts are 1213s
 * at COMMIT): full-jitter backoff from 5 ms doubling up to 1 s, at most ~4 s in all before giving up.
 */
// enough for a Galera cluster re-forming after a node dies (tens of certification conflicts in a few seconds)
export const MAX_ATTEMPTS = 20;
const BASE_DELAY_MS = 5;
const MAX_DELAY_MS = 1000;

/**
 * The handle a unit of work gets: the transaction's EntityManager, and `publish`, which records an event in
 * the outbox of this same transaction. A change that rolls back therefore leaves no event, and no committed
 * change is without its event.
 */
export interface Tx {
  readonly manager: EntityManager;
  /**
   * Who this unit of work is done for (the audit trail): the caller the guard authenticated, the scheduled job
   * running it, or UNATTRIBUTED. Ledger rows, status changes and events written in it name this actor.
   */
  readonly actor: Actor;
  /** The X-Request-Id of the request doing the work; null for scheduled work. Events carry it. */
  readonly requestId: string | null;
  publish(event: NewEvent): Promise<void>;
  /**
   * Runs `effect` once this transaction has committed, and never if it rolls back: an attempt that is retried
   * takes its effects with it. For what must only follow committed work, such as counting it in the metrics.
   * An effect that throws is logged; the committed work still answers.
   */
  afterCommit(effect: () => void): void;
}

/** Who a unit of work is for and which request started it, taken once when it is submitted. */
interface WorkContext {
  actor: Actor;
  requestId: string | null;
  attributed: boolean;
}

/** Work another module does in the transaction that published an event (e.g. a deleted customer's login goes too). */
export type EventStep = (tx: Tx, event: NewEvent) => Promise<void>;

/**
 * The one door to writes: runs a unit of work in one database transaction.
 *
 * MySQL/MariaDB (and Galera, whose certification failures also surface as 1213): a deadlock (1213) or lock
 * wait timeout (1205) rolls the whole transaction back, so it is retried from the start with exponential,
 * fully jittered backoff; the client never sees it. Events published by a failed attempt go with it.
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
  private readonly writeOutbox: boolean;
  private readonly steps = new Map<EventType, EventStep[]>();
  private tail: Promise<unknown> = Promise.resolve();
  private warnedUnattributed = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(eventsConfig.KEY) config?: EventsConfig,
  ) {
    this.serialize = dataSource.options.type === 'better-sqlite3';
    this.writeOutbox = config?.writeOutbox ?? true;
  }

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    // read now, in the caller's frame: on SQLite the work runs later, behind the transactions queued before it
    const actor = currentActor();
    const context: WorkContext = { actor: actor ?? UNATTRIBUTED, requestId: currentRequestId() ?? null, attributed: !!actor };
    if (!this.serialize) return this.withRetry(work, context);
    const result = this.tail.then(() => this.withRetry(work, context));
    this.tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Registers work that must happen in the same transaction whenever an event of this type is published,
   * for a module that the publisher must not depend on. Registered at start-up (onModuleInit).
   */
  onPublish(type: EventType, step: EventStep): void {
    this.steps.set(type, [...(this.steps.get(type) ?? []), step]);
  }

  private async withRetry<T>(work: (tx: Tx) => Promise<T>, context: WorkContext): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const effects: (() => void)[] = [];
      let result: T;
      try {
        result = await this.dataSource.transaction((manager) => this.attempt(manager, work, context, effects));
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
        const delay = Math.random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
        this.logger.debug(`transaction attempt ${attempt} failed (${describeDriverError(error)}); retrying in ${delay.toFixed(0)} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      // outside the try: an effect must never make committed work run again
      this.runEffects(effects);
      return result;
    }
  }

  private runEffects(effects: (() => void)[]): void {
    for (const effect of effects) {
      try {
        effect();
      } catch (error) {
        this.logger.error(`An after-commit effect failed: ${(error as Error).stack}`);
      }
    }
  }

  /** One attempt: the work, then its events in one INSERT, before the transaction commits. */
  private async attempt<T>(
    manager: EntityManager,
    work: (tx: Tx) => Promise<T>,
    context: WorkContext,
    effects: (() => void)[],
  ): Promise<T> {
    const events: NewEvent[] = [];
    const tx: Tx = {
      manager,
      actor: context.actor,
      requestId: context.requestId,
      publish: async (event) => {
        events.push(event);
        for (const step of this.steps.get(event.type) ?? []) await step(tx, event);
      },
      afterCommit: (effect) => void effects.push(effect),
    };
    const result = await work(tx);
    if (events.length && !context.attributed) this.warnUnattributed(events[0]);
    if (this.writeOutbox) await writeToOutbox(manager, events, context);
    return result;
  }

  /**
   * Changes made outside a request and a scheduled job are recorded as UNATTRIBUTED; said once per process, so
   * that a new kind of background work is noticed and given its own actor (runAs) rather than left anonymous.
   */
  private warnUnattributed(event: NewEvent): void {
    if (this.warnedUnattributed) return;
    this.warnedUnattributed = true;
    this.logger.warn(
      `${event.type} was written with no actor in context, recorded as ${JSON.stringify(UNATTRIBUTED)}: run such work with runAs()`,
    );
  }
}
