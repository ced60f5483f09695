import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import { PageDto } from '../../common/pagination';
import { EVENT_TYPES } from '../../events/event';
import { WebhookDeliveryAttempt } from '../entities/webhook-delivery-attempt.entity';
import { DELIVERY_STATUSES, DeliveryStatus, WebhookDelivery } from '../entities/webhook-delivery.entity';

export class DeliveryAttemptDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 1, description: '1 for the first try' }) attempt: number;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 500,
    nullable: true,
    description: "The receiver's status; null when none came",
  })
  status_code: number | null;
  @ApiProperty({ example: 'The receiver answered 500', nullable: true, type: String }) error: string | null;
  @ApiProperty({ type: 'integer', format: 'int32', example: 42 }) duration_ms: number;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) attempted_at: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 981 }) id: number;
  @ApiProperty({ example: 'evt_3f1c2c8e5d5b4f7e9a570a4a1d3b2e11', description: 'Sent as `webhook-id`, the same on every attempt' })
  event_id: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'order.created' }) event_type: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'pending' }) status: DeliveryStatus;
  @ApiProperty({ type: 'integer', format: 'int32', example: 2, description: 'Attempts made, the first try included' }) attempts: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 500, nullable: true }) last_status_code: number | null;
  @ApiProperty({ example: 'The receiver answered 500', nullable: true, type: String }) last_error: string | null;
  @ApiProperty({
    example: '2026-11-25T10:05:05.000Z',
    nullable: true,
    type: String,
    description: 'When it is sent next; null unless pending',
  })
  next_attempt_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) delivered_at: string | null;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ type: [DeliveryAttemptDto], description: 'Every attempt, oldest first' }) attempt_log: DeliveryAttemptDto[];
}

export class WebhookDeliveryPageDto extends PageDto {
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'Newest first' }) items: WebhookDeliveryDto[];
}

export class DeliveryRetryDto {
  @ApiProperty({ example: 'Delivery queued' }) message: string;
  @ApiProperty() delivery: WebhookDeliveryDto;
}

export function toDeliveryResponse(delivery: WebhookDelivery, attempts: WebhookDeliveryAttempt[]): WebhookDeliveryDto {
  return {
    id: delivery.id,
    event_id: delivery.eventId,
    event_type: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    next_attempt_at: iso(delivery.nextAttemptAt),
    delivered_at: iso(delivery.deliveredAt),
    created_at: iso(delivery.createdAt)!,
    attempt_log: attempts.map((attempt) => ({
      attempt: attempt.attempt,
      status_code: attempt.statusCode,
      error: attempt.error,
      duration_ms: attempt.durationMs,
      attempted_at: iso(attempt.attemptedAt)!,
    })),
  };
}
