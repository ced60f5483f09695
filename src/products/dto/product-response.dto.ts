import { ApiProperty } from '@nestjs/swagger';
import { iso } from '../../common/dto-helpers';
import { fromCents } from '../../common/money';
import { PageDto } from '../../common/pagination';
import { Product, REORDER_POLICIES, type ReorderPolicy } from '../entities/product.entity';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class ProductResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 }) id: number;
  @ApiProperty({ example: 'Espresso beans 1 kg' }) name: string;
  @ApiProperty({ example: 19.99 }) price: number;
  @ApiProperty({ example: 'Single-origin, medium roast', nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: 'integer', format: 'int32', example: 100 }) stock_quantity: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 10 }) reorder_threshold: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 50 }) reorder_quantity: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 3 }) lead_time_days: number;
  @ApiProperty({ enum: REORDER_POLICIES, example: 'fixed' }) reorder_policy: ReorderPolicy;
  @ApiProperty({ example: 0.95 }) service_level: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 14 }) cover_days: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
}

export class ProductPageDto extends PageDto {
  @ApiProperty({ type: [ProductResponseDto] }) items: ProductResponseDto[];
}

export class ProductCreatedDto {
  @ApiProperty({ example: 'Product created' }) message: string;
  @ApiProperty() product: ProductResponseDto;
}

export class ProductUpdatedDto {
  @ApiProperty({ example: 'Product updated' }) message: string;
  @ApiProperty() product: ProductResponseDto;
}

export function toProductResponse(product: Product): ProductResponseDto {
  return {
    id: product.id,
    name: product.name,
    price: fromCents(product.priceCents),
    description: product.description,
    stock_quantity: product.stockQuantity,
    reorder_threshold: product.reorderThreshold,
    reorder_quantity: product.reorderQuantity,
    lead_time_days: product.leadTimeDays,
    reorder_policy: product.reorderPolicy,
    service_level: product.serviceLevelBp / 10_000,
    cover_days: product.coverDays,
    created_at: iso(product.createdAt)!,
    updated_at: iso(product.updatedAt)!,
  };
}
