import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { eventsConfig, type EventsConfig, webhooksConfig, type WebhooksConfig } from '../config/configuration';
import { formatDuration } from '../config/duration';
import { executeCounting, SqlDialect, sqlDialect } from '../database/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { deliveryHeaders } from './signature';
import { forbiddenHost } from './webhook-url';
import { type DeliveryResult, WebhooksMetrics } from './webhooks.metrics';

/** Deliveries in flight at once from this instance, to one endpoint and to all of them. */
export const PER_ENDPOINT_IN_FLIGHT = 4;
export const TOTAL_IN_FLIGHT = 64;
/** A claim outlives the attempt's timeout by this much; after that another instance may send the delivery. */
const CLAIM_MARGIN_MS = 30_000;
const MAX_ERROR_LENGTH = 500;

/** A delivery this instance has claimed, with what sending it takes. */
interface ClaimedDelivery {
  id: number;
  webhookId: number;
  eventId: string;
  payload: string;
  attempts: number;
  url: string;
  secret: string;
  claim: string;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * Sends due deliveries, on every instance that runs the relay (EVENTS_RELAY_ENABLED), every
 * WEBHOOK_DISPATCH_INTERVAL_MS:
 * - **Claims, not a leader:** a delivery is sent by the instance whose conditional UPDATE set its `claimed_by`
 *   (only while unclaimed or the claim has expired), so instances share the sending and never send the same
 *   delivery at once; the outcome is recorded only under that claim. A crashed sender's claim expires after the
 *   timeout plus a margin, and the delivery is sent again (at least once).
 * - **Per-subject order:** a delivery is due only when no earlier delivery of the same subject to the same
 *   endpoint is still pending, so at most one per subject is in flight and they arrive in feed order.
 * - **Isolation:** each round claims per endpoint only what that endpoint has room for (PER_ENDPOINT_IN_FLIGHT),
 *   and sends run beside the rounds, not inside them: a receiver that hangs until the timeout holds its own
 *   slots, never another endpoint's deliveries. TOTAL_IN_FLIGHT bounds the whole instance.
 * - **Outcome:** any 2xx within WEBHOOK_TIMEOUT_MS delivers; otherwise the next attempt is due after the
 *   schedule's next delay, or the delivery fails once the schedule is used up. 410 Gone fails it and disables
 *   the endpoint at once; an endpoint whose attempts have all failed for WEBHOOK_DISABLE_AFTER is disabled.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly claimer = `${hostname().slice(0, 32)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly sql: SqlDialect;
  private readonly inFlight = new Map<number, number>();
  private readonly sends = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private claims = 0;
  private rounds = 0;
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    @Inject(webhooksConfig.KEY) private readonly config: WebhooksConfig,
    @Inject(eventsConfig.KEY) private readonly events: EventsConfig,
    private readonly webhooksMetrics: WebhooksMetrics,
  ) {
    this.sql = sqlDialect(dataSource);
  }

  onApplicationBootstrap(): void {
    if (this.events.relayEnabled) this.schedule();
  }

  /** Stops claiming, abandons the attempts in flight (their deliveries are released, to be sent again). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round;
    this.shutdown.abort();
    await this.idle();
  }

  /**
   * One round: for each enabled endpoint, claims the due deliveries it has room for and starts sending them.
   * Resolves once they are started (not sent) with how many; `idle()` waits for them. Public for tests.
   */
  async runOnce(): Promise<number> {
    const endpoints: { id: number }[] = await this.dataSource.query('SELECT id FROM webhooks WHERE enabled = 1 ORDER BY id');
    // a different endpoint goes first each round, so that the instance-wide bound favours none
    const start = endpoints.length ? this.rounds++ % endpoints.length : 0;
    let started = 0;
    for (const { id } of [...endpoints.slice(start), ...endpoints.slice(0, start)]) {
      const room = Math.min(PER_ENDPOINT_IN_FLIGHT - (this.inFlight.get(id) ?? 0), TOTAL_IN_FLIGHT - this.sends.size);
      if (room <= 0 || this.stopped) continue;
      for (const delivery of await this.claimDue(id, room)) {
        this.start(delivery);
        started++;
      }
    }
    return started;
  }

  /** Resolves when every send started so far has ended and been recorded. */
  async idle(): Promise<void> {
    while (this.sends.size) await Promise.allSettled([...this.sends]);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.runOnce()
        .catch((error: Error) => this.logger.error(`Webhook dispatch round failed: ${error.stack}`))
        .finally(() => {
          this.round = null;
          this.schedule();
        });
    }, this.config.dispatchIntervalMs);
  }

  /**
   * The endpoint's due deliveries, oldest due first, each the earliest still pending of its subject; claimed with
   * one conditional UPDATE, which on MariaDB re-reads the rows it changes, so of two instances only one gets each.
   */
  private async claimDue(webhookId: number, room: number): Promise<ClaimedDelivery[]> {
    const { now } = this.sql;
    const due: { id: number }[] = await this.dataSource.query(
      `SELECT d.id FROM webhook_deliveries d
        WHERE d.webhook_id = ? AND d.status = 'pending' AND d.next_attempt_at <= ${now}
          AND (d.claimed_until IS NULL OR d.claimed_until < ${now})
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                           WHERE e.webhook_id = d.webhook_id AND e.subject_type = d.subject_type AND e.subject_id = d.subject_id
                             AND e.status = 'pending' AND e.id < d.id)
        ORDER BY d.next_attempt_at, d.id LIMIT ?`,
      [webhookId, room],
    );
    if (!due.length) return [];
    const ids = due.map((row) => Number(row.id));
    const claim = `${this.claimer}:${++this.claims}`;
    const marks = ids.map(() => '?').join(',');
    const rows: Omit<ClaimedDelivery, 'claim'>[] = await this.tx.run(async ({ manager }) => {
      await manager.query(
        `UPDATE webhook_deliveries SET claimed_by = ?, claimed_until = ${this.sql.nowPlusMs}
          WHERE id IN (${marks}) AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < ${now})`,
        [claim, this.config.timeoutMs + CLAIM_MARGIN_MS, ...ids],
      );
      return manager.query(
        `SELECT d.id, d.webhook_id AS webhookId, d.event_id AS eventId, d.payload, d.attempts, w.url, w.secret
           FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
          WHERE d.id IN (${marks}) AND d.claimed_by = ? ORDER BY d.id`,
        [...ids, claim],
      );
    });
    return rows.map((row) => ({ ...row, id: Number(row.id), webhookId: Number(row.webhookId), attempts: Number(row.attempts), claim }));
  }

  private start(delivery: ClaimedDelivery): void {
    this.inFlight.set(delivery.webhookId, (this.inFlight.get(delivery.webhookId) ?? 0) + 1);
    const send: Promise<void> = this.send(delivery)
      .catch((error: Error) => this.logger.error(`Delivery ${delivery.id} could not be recorded: ${error.stack}`))
      .finally(() => {
        this.sends.delete(send);
        const left = (this.inFlight.get(delivery.webhookId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(delivery.webhookId, left);
        else this.inFlight.delete(delivery.webhookId);
      });
    this.sends.add(send);
  }

  /** One attempt: POST the stored body, signed for this attempt's time, and record what came back. */
  private async send(delivery: ClaimedDelivery): Promise<void> {
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      // names are judged again at each attempt: one may have been re-pointed at the loopback since registration
      const refused = this.config.allowLoopback ? null : await forbiddenHost(delivery.url);
      if (refused) {
        error = `Not sent: ${refused}`;
      } else {
        const response = await fetch(delivery.url, {
          method: 'POST',
          headers: deliveryHeaders(delivery.secret, delivery.eventId, delivery.payload, requestIdOf(delivery.payload)),
          body: delivery.payload,
          // a redirect is a failure (Standard Webhooks): the endpoint's URL should be updated instead
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(this.config.timeoutMs), this.shutdown.signal]),
        });
        statusCode = response.status;
        await response.body?.cancel().catch(() => undefined);
        if (statusCode < 200 || statusCode > 299) error = `The receiver answered ${statusCode}`;
      }
    } catch (caught) {
      if (this.shutdown.signal.aborted) return this.release(delivery);
      error = this.describe(caught);
    }
    await this.record(delivery, { statusCode, error, durationMs: Date.now() - started });
  }

  /**
   * The attempt's outcome, under this instance's claim: if the claim expired and another instance took the
   * delivery over (or the endpoint was deleted), nothing is recorded and the other instance's attempt counts.
   */
  private async record(delivery: ClaimedDelivery, outcome: Outcome): Promise<void> {
    const { now, nowPlusMs, nowMinusMs } = this.sql;
    const attempt = delivery.attempts + 1;
    const delivered = outcome.error === null;
    const gone = outcome.statusCode === 410;
    const delay = this.config.retryScheduleMs[attempt - 1];
    const status = delivered ? 'succeeded' : gone || delay === undefined ? 'failed' : 'pending';
    const result: DeliveryResult = delivered ? 'delivered' : status === 'pending' ? 'retrying' : 'failed';
    const error = outcome.error?.slice(0, MAX_ERROR_LENGTH) ?? null;
    await this.tx.run(async (tx) => {
      const { manager } = tx;
      const recorded = await executeCounting(
        manager,
        `UPDATE webhook_deliveries
            SET status = ?, attempts = ?, last_status_code = ?, last_error = ?,
                next_attempt_at = ${status === 'pending' ? nowPlusMs : 'NULL'}, delivered_at = ${delivered ? now : 'NULL'},
                claimed_by = NULL, claimed_until = NULL, updated_at = ${now}
          WHERE id = ? AND claimed_by = ?`,
        [status, attempt, outcome.statusCode, error, ...(status === 'pending' ? [delay] : []), delivery.id, delivery.claim],
      );
      if (recorded !== 1) return;
      tx.afterCommit(() => this.webhooksMetrics.attempted(result));
      await manager
        .createQueryBuilder()
        .insert()
        .into(WebhookDeliveryAttempt)
        .values({ deliveryId: delivery.id, attempt, statusCode: outcome.statusCode, error, durationMs: outcome.durationMs })
        .updateEntity(false)
        .execute();
      // the endpoint's row is written (and so locked until commit) only when its failure streak starts, ends or
      // may have lasted long enough: the attempts of a healthy endpoint do not queue behind each other on it
      const [{ failing_since: failingSince }] = await manager.query('SELECT failing_since FROM webhooks WHERE id = ?', [
        delivery.webhookId,
      ]);
      if (delivered) {
        if (failingSince !== null) await manager.query('UPDATE webhooks SET failing_since = NULL WHERE id = ?', [delivery.webhookId]);
        return;
      }
      if (failingSince === null)
        await manager.query(`UPDATE webhooks SET failing_since = ${now} WHERE id = ? AND failing_since IS NULL`, [delivery.webhookId]);
      if (!gone && failingSince === null) return;
      const disable = `UPDATE webhooks SET enabled = 0, disabled_reason = ?, disabled_at = ${now}, updated_at = ${now} WHERE id = ? AND enabled = 1`;
      const reason = gone
        ? 'The endpoint answered 410 Gone'
        : `Every attempt failed for ${formatDuration(this.config.disableAfterMs)} (WEBHOOK_DISABLE_AFTER); the last: ${error}`.slice(
            0,
            MAX_ERROR_LENGTH,
          );
      const disabled = gone
        ? await executeCounting(manager, disable, [reason, delivery.webhookId])
        : await executeCounting(manager, `${disable} AND failing_since <= ${nowMinusMs}`, [
            reason,
            delivery.webhookId,
            this.config.disableAfterMs,
          ]);
      if (disabled) this.logger.warn(`Webhook ${delivery.webhookId} disabled: ${reason}`);
    });
  }

  /** Gives an abandoned claim back, so that the next round (of any instance) sends the delivery again. */
  private async release(delivery: ClaimedDelivery): Promise<void> {
    await this.tx.run(({ manager }) =>
      manager.query('UPDATE webhook_deliveries SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?', [
        delivery.id,
        delivery.claim,
      ]),
    );
  }

  /** What went wrong, from fetch's errors (read by shape: the timeout's DOMException is not always an Error here). */
  private describe(error: unknown): string {
    const { name, message, cause } = (error ?? {}) as { name?: string; message?: string; cause?: { message?: string } };
    if (name === 'TimeoutError') return `No answer within ${this.config.timeoutMs} ms (WEBHOOK_TIMEOUT_MS)`;
    return `Could not reach the receiver: ${cause?.message ?? message ?? String(error)}`;
  }
}

/**
 * The request that made the change, from the stored body (the event as the feed shows it): read at send time
 * rather than kept in a column of its own, as the body is the one copy that is signed. Null for scheduled work
 * and for deliveries of events from before request ids were recorded.
 */
export function requestIdOf(payload: string): string | null {
  const { request_id: requestId } = JSON.parse(payload) as { request_id?: unknown };
  return typeof requestId === 'string' ? requestId : null;
}
