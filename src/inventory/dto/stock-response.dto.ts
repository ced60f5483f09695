import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import { Product } from '../../products/entities/product.entity';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class StockResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 42 }) quantity: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 10 }) reorder_threshold: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 50 }) reorder_quantity: number;
  @ApiProperty({ example: false, description: 'quantity <= reorder_threshold' }) low_stock: boolean;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z', nullable: true, type: String }) last_restocked_at: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
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
