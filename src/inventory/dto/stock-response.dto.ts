import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';
import { Product, REORDER_POLICIES, type ReorderPolicy } from '../../products/entities/product.entity';
import { DailyDemand, describeDemand } from '../demand';

export class DemandDto {
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 28,
    description: 'Calendar days of the ledger, today (UTC) included (DEMAND_WINDOW_DAYS)',
  })
  window_days: number;
  @ApiProperty({ example: 2, description: 'Mean units ordered per day, net of cancels, days without sales counted as 0 (4 decimals)' })
  daily_mean: number;
  @ApiProperty({ example: 2, description: 'Population standard deviation of the daily figures (4 decimals)' }) daily_stddev: number;
}

export class StockResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 42 }) quantity: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 10 }) reorder_threshold: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 50 }) reorder_quantity: number;
  @ApiProperty({ example: false, description: 'quantity <= reorder_threshold' }) low_stock: boolean;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 50,
    description: 'Units on open replenishment orders (ordered, not yet received)',
  })
  incoming: number;
  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 92,
    description: 'quantity + incoming: replenishment is ordered when this is <= reorder_threshold',
  })
  projected: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 3 }) lead_time_days: number;
  @ApiProperty({ enum: REORDER_POLICIES, example: 'demand' }) reorder_policy: ReorderPolicy;
  @ApiPropertyOptional({
    type: DemandDto,
    description: 'Only with `reorder_policy: demand`: the statistics the threshold and quantity are learned from',
  })
  demand?: DemandDto;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z', nullable: true, type: String }) last_restocked_at: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
}

export function toStockResponse(product: Product, demand?: DailyDemand): StockResponseDto {
  return {
    product_id: product.id,
    quantity: product.stockQuantity,
    reorder_threshold: product.reorderThreshold,
    reorder_quantity: product.reorderQuantity,
    low_stock: product.stockQuantity <= product.reorderThreshold,
    incoming: product.incomingQuantity,
    projected: product.stockQuantity + product.incomingQuantity,
    lead_time_days: product.leadTimeDays,
    reorder_policy: product.reorderPolicy,
    ...(demand && { demand: describeDemand(demand) }),
    last_restocked_at: iso(product.lastRestockedAt),
    updated_at: iso(product.updatedAt)!,
  };
}
