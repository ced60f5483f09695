import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../common/actor';
import { insertRows } from '../database/insert-rows';
import { OutboxEvent } from './entities/outbox-event.entity';
import type { NewEvent } from './event';

export const newEventId = (): string => `evt_${randomUUID().replace(/-/g, '')}`;

/**
 * Writes a transaction's events to the outbox in one INSERT, inside that transaction; without reading back the
 * generated columns (ids, created_at), which nothing here needs. Each names the actor of the unit of work unless
 * it names its own, and the request that made it (null for scheduled work).
 */
export async function writeToOutbox(
  manager: EntityManager,
  events: NewEvent[],
  context: { actor: Actor; requestId: string | null },
): Promise<void> {
  if (!events.length) return;
  await insertRows(
    manager,
    OutboxEvent,
    events.map((event) => ({
      eventId: newEventId(),
      type: event.type,
      subjectType: event.subject.type,
      subjectId: event.subject.id,
      actor: event.actor ?? context.actor,
      requestId: context.requestId,
      data: JSON.stringify(event.data),
    })),
  );
}
