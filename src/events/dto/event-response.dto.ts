import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import type { OutboxEvent } from '../entities/outbox-event.entity';
import type { EventType } from '../event';
import { ANY_EVENT_SCHEMA, type EventEnvelope } from './event-types.dto';

/** An event as the feed, webhook bodies and the broker carry it; documented per type in event-types.dto.ts. */
export interface EventResponseDto extends EventEnvelope {
  type: EventType;
  data: Record<string, unknown>;
}

export class EventFeedPageDto {
  @ApiProperty({
    type: 'array',
    items: ANY_EVENT_SCHEMA,
    description: 'Oldest first, in commit order; each one of the event schemas, by `type`',
  })
  items: EventResponseDto[];
  @ApiProperty({ example: 'djE6NDI', description: 'Pass as `after` for the next page; on an empty page it equals `after`' })
  next_cursor: string;
}

export function toEventResponse(event: OutboxEvent): EventResponseDto {
  return {
    id: event.eventId,
    type: event.type,
    created_at: iso(event.createdAt)!,
    subject: { type: event.subjectType, id: event.subjectId },
    actor: event.actor,
    request_id: event.requestId,
    data: JSON.parse(event.data) as Record<string, unknown>,
  };
}
