import { ApiProperty } from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { ApiActorProperty } from '../../common/actor.dto';
import { iso } from '../../common/dto-helpers';
import { PageDto } from '../../common/pagination';
import { MOVEMENT_TYPES, MovementType, StockMovement } from '../entities/stock-movement.entity';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class StockMovementDto {
  @ApiProperty({ ...ID_SCHEMA, example: 12 }) id: number;
  @ApiProperty({ enum: MOVEMENT_TYPES, example: 'order' }) type: MovementType;
  @ApiProperty({ type: 'integer', format: 'int32', example: -2 }) delta: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 40 }) quantity_after: number;
  @ApiProperty({ ...ID_SCHEMA, example: 5, nullable: true, description: 'The order, for `order` and `cancel` movements' }) order_id:
    number | null;
  @ApiProperty({ ...ID_SCHEMA, example: null, nullable: true, description: 'The replenishment order received, for `restock` movements' })
  replenishment_id: number | null;
  @ApiProperty({ example: null, nullable: true, type: String }) reason: string | null;
  @ApiActorProperty('Who made the change; null on movements recorded before the audit trail existed')
  actor: Actor | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) created_at: string;
}

export class StockMovementPageDto extends PageDto {
  @ApiProperty({ type: [StockMovementDto] }) items: StockMovementDto[];
}

export function toMovementResponse(movement: StockMovement): StockMovementDto {
  return {
    id: movement.id,
    type: movement.type,
    delta: movement.delta,
    quantity_after: movement.quantityAfter,
    order_id: movement.referenceType === 'order' ? movement.referenceId : null,
    replenishment_id: movement.referenceType === 'replenishment' ? movement.referenceId : null,
    reason: movement.reason,
    actor: movement.actor,
    created_at: iso(movement.createdAt)!,
  };
}
