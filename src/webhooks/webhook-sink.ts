import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqlDialect } from '../database/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
import type { EventResponseDto } from '../events/dto/event-response.dto';
import { EventRelay } from '../events/event-relay';
import type { EventSink } from '../events/event-sink';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { Webhook } from './entities/webhook.entity';
import { matchesAny } from './event-type-patterns';

/** Rows per INSERT. */
const INSERT_BATCH = 200;

/**
 * The relay's `webhooks` destination: turns each event into one pending delivery per enabled endpoint that
 * subscribes to its type. It sends nothing (the dispatcher does), so a slow receiver never holds the relay up.
 */
@Injectable()
export class WebhookSink implements EventSink, OnModuleInit {
  readonly name = 'webhooks';
  private readonly now: string;

  constructor(
    private readonly eventRelay: EventRelay,
    private readonly tx: TransactionRunner,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.now = sqlDialect(dataSource).now;
  }

  onModuleInit(): void {
    this.eventRelay.registerSink(this);
  }

  /**
   * One transaction per batch the relay hands over. Rows are inserted in feed order, so within an endpoint a later
   * event of a subject gets a higher delivery id (what the dispatcher's per-subject ordering relies on). The relay
   * may hand the same events over again after a crash: the unique (webhook_id, event_id) key makes those inserts
   * no-ops (INSERT … IGNORE). Should this fail (an endpoint deleted between the read and the insert), the relay
   * hands the batch over again on its next round.
   */
  async deliver(events: EventResponseDto[]): Promise<void> {
    await this.tx.run(async ({ manager }) => {
      const webhooks = await manager.find(Webhook, {
        select: { id: true, eventTypes: true },
        where: { enabled: true },
        order: { id: 'ASC' },
      });
      if (!webhooks.length) return;
      const rows = events.flatMap((event) =>
        webhooks
          .filter((webhook) => matchesAny(webhook.eventTypes, event.type))
          .map((webhook) => ({
            webhookId: webhook.id,
            eventId: event.id,
            eventType: event.type,
            subjectType: event.subject.type,
            subjectId: event.subject.id,
            // exactly the feed's JSON of the event: what is signed and sent on every attempt
            payload: JSON.stringify(event),
            status: 'pending' as const,
            attempts: 0,
            nextAttemptAt: () => this.now,
          })),
      );
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(WebhookDelivery)
          .values(rows.slice(i, i + INSERT_BATCH))
          .orIgnore()
          .updateEntity(false)
          .execute();
      }
    });
  }
}
