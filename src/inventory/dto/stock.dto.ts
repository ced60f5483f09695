import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, NotEquals } from 'class-validator';
import { iso } from '../../common/dto-helpers';
import { PageDto } from '../../common/pagination';
import { Product } from '../../products/entities/product.entity';
import { MOVEMENT_TYPES, MovementType, StockMovement } from '../entities/stock-movement.entity';

export const MAX_STOCK = 1_000_000;

export class StockResponseDto {
  @ApiProperty({ type: 'integer', example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', example: 42 }) quantity: number;
  @ApiProperty({ type: 'integer', example: 10 }) reorder_threshold: number;
  @ApiProperty({ type: 'integer', example: 50 }) reorder_quantity: number;
  @ApiProperty({ example: false, description: 'quantity <= reorder_threshold' }) low_stock: boolean;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z', nullable: true, type: String }) last_restocked_at: string | null;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
}

export function toStockResponse(product: Product): StockResponseDto {
  return {
    product_id: product.id,
    quantity: product.stockQuantity,
    reorder_threshold: product.reorderThreshold,
    reorder_quantity: product.reorderQuantity,
    low_stock: product.stockQuantity <= product.reorderThreshold,
    last_restocked_at: iso(product.lastRestockedAt),
    updated_at: iso(product.updatedAt)!,
  };
}

export class UpdateStockDto {
  @ApiPropertyOptional({ type: 'integer', example: 100, minimum: 0, maximum: MAX_STOCK, description: 'Set the quantity to this value (excludes `adjustment`)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  quantity?: number;

  @ApiPropertyOptional({ type: 'integer', example: -3, description: 'Add (or with a minus sign remove) this many units (excludes `quantity`)' })
  @IsOptional()
  @IsInt()
  @NotEquals(0)
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  adjustment?: number;

  @ApiPropertyOptional({ example: 'Stock count after audit', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  @ApiPropertyOptional({ type: 'integer', example: 10, minimum: 0, maximum: MAX_STOCK })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_threshold?: number;

  @ApiPropertyOptional({ type: 'integer', example: 50, minimum: 0, maximum: MAX_STOCK })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_quantity?: number;
}

export class StockMovementDto {
  @ApiProperty({ type: 'integer', example: 12 }) id: number;
  @ApiProperty({ enum: MOVEMENT_TYPES, example: 'order' }) type: MovementType;
  @ApiProperty({ type: 'integer', example: -2 }) delta: number;
  @ApiProperty({ type: 'integer', example: 40 }) quantity_after: number;
  @ApiProperty({ example: 5, nullable: true, type: Number }) order_id: number | null;
  @ApiProperty({ example: null, nullable: true, type: String }) reason: string | null;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) created_at: string;
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
    order_id: movement.orderId,
    reason: movement.reason,
    created_at: iso(movement.createdAt)!,
  };
}

export class LowStockItemDto extends StockResponseDto {
  @ApiProperty({ example: 'Espresso beans 1 kg' }) name: string;
}

export class LowStockPageDto extends PageDto {
  @ApiProperty({ type: [LowStockItemDto] }) items: LowStockItemDto[];
}

export class RestockedItemDto {
  @ApiProperty({ type: 'integer', example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', example: 50 }) added: number;
  @ApiProperty({ type: 'integer', example: 52 }) quantity: number;
}

export class RestockResultDto {
  @ApiProperty({ example: 'Restocked 1 product(s)' }) message: string;
  @ApiProperty({ type: [RestockedItemDto] }) restocked: RestockedItemDto[];
}
