import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { HasAtMostDecimals, IsMoney, IsOptionalNotNull, Trim } from '../../common/dto-helpers';
import { MAX_COVER_DAYS, MAX_LEAD_TIME_DAYS, MAX_PRICE, MAX_STOCK } from '../../common/limits';
import { REORDER_POLICIES, type ReorderPolicy } from '../entities/product.entity';

export class CreateProductDto {
  @ApiProperty({
    example: 'Espresso beans 1 kg',
    minLength: 1,
    maxLength: 200,
    pattern: '\\S',
    description: 'Not blank; surrounding spaces are trimmed',
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 19.99, minimum: 0.01, maximum: MAX_PRICE, description: 'Currency units, at most 2 decimals' })
  @IsMoney()
  @Min(0.01)
  @Max(MAX_PRICE)
  price: number;

  @ApiPropertyOptional({ type: String, example: 'Single-origin, medium roast', maxLength: 5000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', example: 100, minimum: 0, maximum: MAX_STOCK, default: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock_quantity?: number;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    example: 10,
    minimum: 0,
    maximum: MAX_STOCK,
    default: 0,
    description: 'Low when quantity <= this',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_threshold?: number;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    example: 50,
    minimum: 0,
    maximum: MAX_STOCK,
    default: 0,
    description:
      'Units the replenishment pass orders when projected stock is at or below the threshold; 0 turns automatic replenishment off',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_quantity?: number;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    example: 3,
    minimum: 0,
    maximum: MAX_LEAD_TIME_DAYS,
    default: 0,
    description: 'Days a replenishment order takes to arrive (its `expected_at`); 0: the automatic order is received at once',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_LEAD_TIME_DAYS)
  lead_time_days?: number;

  @ApiPropertyOptional({
    enum: REORDER_POLICIES,
    default: 'fixed',
    description:
      '`fixed`: reorder_threshold and reorder_quantity as set. `demand`: every replenishment pass recomputes them from ' +
      'the sales in the ledger (see `service_level`, `cover_days`); a product without sales in the window keeps them.',
  })
  @IsOptionalNotNull()
  @IsIn(REORDER_POLICIES)
  reorder_policy?: ReorderPolicy;

  @ApiPropertyOptional({
    example: 0.95,
    minimum: 0.5,
    maximum: 0.9999,
    default: 0.95,
    description: 'Demand policy: the chance of not running out while an order is on its way (at most 4 decimals)',
  })
  @IsOptionalNotNull()
  @HasAtMostDecimals(4)
  @Min(0.5)
  @Max(0.9999)
  service_level?: number;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    example: 14,
    minimum: 1,
    maximum: MAX_COVER_DAYS,
    default: 14,
    description: 'Demand policy: days of mean demand one order covers',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_COVER_DAYS)
  cover_days?: number;
}
