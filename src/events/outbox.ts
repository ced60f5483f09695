import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { OutboxEvent } from './entities/outbox-event.entity';
import type { NewEvent } from './event';

export const newEventId = (): string => `evt_${randomUUID().replace(/-/g, '')}`;

/** Writes a transaction's events to the outbox in one INSERT, inside that transaction. */
export async function writeToOutbox(manager: EntityManager, events: NewEvent[]): Promise<void> {
  if (!events.length) return;
  await manager.insert(
    OutboxEvent,
    events.map((event) => ({
      eventId: newEventId(),
      type: event.type,
      subjectType: event.subject.type,
      subjectId: event.subject.id,
      actor: event.actor ? JSON.stringify(event.actor) : null,
      data: JSON.stringify(event.data),
    })),
  );
}
