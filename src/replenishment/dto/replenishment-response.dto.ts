import { ApiProperty } from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { ApiActorProperty } from '../../common/actor.dto';
import { iso } from '../../common/dto-helpers';
import { PageDto } from '../../common/pagination';
import {
  Replenishment,
  REPLENISHMENT_ORIGINS,
  REPLENISHMENT_STATUSES,
  type ReplenishmentOrigin,
  type ReplenishmentStatus,
} from '../entities/replenishment.entity';

export class ReplenishmentResponseDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 3 }) id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 40, description: 'Units ordered' }) quantity: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 10, description: 'Units received so far' }) received_quantity: number;
  @ApiProperty({
    enum: REPLENISHMENT_STATUSES,
    example: 'partially_received',
    description: '`ordered` → `partially_received` → `received`; `ordered` or `partially_received` → `cancelled`',
  })
  status: ReplenishmentStatus;
  @ApiProperty({
    enum: REPLENISHMENT_ORIGINS,
    example: 'automatic',
    description: '`automatic`: made by the replenishment pass; `manual`: by POST /replenishments',
  })
  origin: ReplenishmentOrigin;
  @ApiProperty({
    example: '2026-11-28T10:00:00.000Z',
    nullable: true,
    type: String,
    description: 'Automatic orders: created_at + lead_time_days',
  })
  expected_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) note: string | null;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
  @ApiProperty({ example: '2026-11-27T09:00:00.000Z', nullable: true, type: String, description: 'When units last arrived' })
  received_at: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) cancelled_at: string | null;
  @ApiActorProperty(
    'Who ordered it: the system job `restock` for the scheduled pass; the API key for a manual order or a pass run by POST /inventory/restock',
    {
      type: 'system',
      name: 'restock',
    },
  )
  created_by: Actor | null;
  @ApiActorProperty('Who received units last (each receipt names its own on its `restock` movement); null before the first receipt', {
    type: 'api_key',
    id: null,
    name: 'API_KEYS',
  })
  received_by: Actor | null;
  @ApiActorProperty('Who cancelled it; null unless cancelled', null)
  cancelled_by: Actor | null;
}

export class ReplenishmentPageDto extends PageDto {
  @ApiProperty({ type: [ReplenishmentResponseDto] }) items: ReplenishmentResponseDto[];
}

export class ReplenishmentEnvelopeDto {
  @ApiProperty({ example: 'Replenishment ordered' }) message: string;
  @ApiProperty() replenishment: ReplenishmentResponseDto;
}

export class RestockedItemDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 50 }) added: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 52 }) quantity: number;
}

export class ReplenishmentPassResultDto {
  @ApiProperty({ example: 'Ordered 2 replenishment(s); restocked 1 product(s)' }) message: string;
  @ApiProperty({
    type: [RestockedItemDto],
    description: 'Products whose stock rose in this pass: lead time 0, the order was received at once',
  })
  restocked: RestockedItemDto[];
  @ApiProperty({
    type: [ReplenishmentResponseDto],
    description: 'Every automatic order this pass created (those with lead time 0 already `received`)',
  })
  replenishments: ReplenishmentResponseDto[];
}

export function toReplenishmentResponse(r: Replenishment): ReplenishmentResponseDto {
  return {
    id: r.id,
    product_id: r.productId,
    quantity: r.quantity,
    received_quantity: r.receivedQuantity,
    status: r.status,
    origin: r.origin,
    expected_at: iso(r.expectedAt),
    note: r.note,
    created_at: iso(r.createdAt)!,
    updated_at: iso(r.updatedAt)!,
    received_at: iso(r.receivedAt),
    cancelled_at: iso(r.cancelledAt),
    created_by: r.createdBy,
    received_by: r.receivedBy,
    cancelled_by: r.cancelledBy,
  };
}
