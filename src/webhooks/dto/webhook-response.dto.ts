import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import { PageDto } from '../../common/pagination';
import { EVENT_TYPE_PATTERNS } from '../event-type-patterns';
import { Webhook } from '../entities/webhook.entity';

export class WebhookResponseDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 3 }) id: number;
  @ApiProperty({ example: 'https://fulfilment.internal.example/hooks/ecommerce' }) url: string;
  @ApiProperty({ isArray: true, enum: EVENT_TYPE_PATTERNS, example: ['order.*', 'stock.low'] }) event_types: string[];
  @ApiProperty({ example: 'Fulfilment service: ships placed orders', nullable: true, type: String }) description: string | null;
  @ApiProperty({ example: true, description: 'Disabled endpoints receive nothing; their pending deliveries wait' }) enabled: boolean;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'Why the server disabled the endpoint: it answered 410 Gone, or every delivery failed for WEBHOOK_DISABLE_AFTER',
  })
  disabled_reason: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) disabled_at: string | null;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
}

export class WebhookWithSecretDto extends WebhookResponseDto {
  @ApiProperty({
    example: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD3n4S2jmTnbQ=',
    description: 'The signing secret. Shown only now (and by rotate-secret): store it where the receiver can read it.',
  })
  secret: string;
}

export class WebhookCreatedDto {
  @ApiProperty({ example: 'Webhook registered' }) message: string;
  @ApiProperty() webhook: WebhookWithSecretDto;
}

export class WebhookUpdatedDto {
  @ApiProperty({ example: 'Webhook updated' }) message: string;
  @ApiProperty() webhook: WebhookResponseDto;
}

export class WebhookSecretRotatedDto {
  @ApiProperty({ example: 'Secret rotated' }) message: string;
  @ApiProperty() webhook: WebhookWithSecretDto;
}

export class WebhookPageDto extends PageDto {
  @ApiProperty({ type: [WebhookResponseDto] }) items: WebhookResponseDto[];
}

export function toWebhookResponse(webhook: Webhook): WebhookResponseDto {
  return {
    id: webhook.id,
    url: webhook.url,
    event_types: webhook.eventTypes,
    description: webhook.description,
    enabled: webhook.enabled,
    disabled_reason: webhook.disabledReason,
    disabled_at: iso(webhook.disabledAt),
    created_at: iso(webhook.createdAt)!,
    updated_at: iso(webhook.updatedAt)!,
  };
}
