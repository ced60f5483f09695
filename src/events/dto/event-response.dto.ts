import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import type { OutboxEvent } from '../entities/outbox-event.entity';
import { Actor, EVENT_TYPES, EventType } from '../event';
import { ANY_EVENT_SCHEMA, EventSubjectDto } from './event-types.dto';

export class EventResponseDto {
  @ApiProperty({
    example: 'evt_3f1c2c8e5d5b4f7e9a570a4a1d3b2e11',
    description: 'Unique; consumers deduplicate by it (delivery is at least once)',
  })
  id: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'order.created' }) type: EventType;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ type: EventSubjectDto }) subject: EventSubjectDto;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Who made the change',
    example: { type: 'system', name: 'restock' },
  })
  actor: Actor | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The resource as GET shows it after the change, plus what the type names',
  })
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
    actor: event.actor ? (JSON.parse(event.actor) as Actor) : null,
    data: JSON.parse(event.data) as Record<string, unknown>,
  };
}
