import type { EventResponseDto } from './dto/event-response.dto';

/**
 * A destination of the feed (webhooks, the message broker). The relay hands each sink the events after its
 * cursor, in feed order, and advances the cursor once `deliver` has resolved: at least once, never out of
 * order. `deliver` must be idempotent for events it has seen (a crash between delivery and cursor update
 * hands them over again).
 */
export interface EventSink {
  /** Stable name, the key of its cursor. */
  readonly name: string;
  deliver(events: EventResponseDto[]): Promise<void>;
}
