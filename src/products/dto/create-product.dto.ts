import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsMoney, IsOptionalNotNull, Trim } from '../../common/dto-helpers';
import { MAX_PRICE, MAX_STOCK } from '../../common/limits';

export class CreateProductDto {
  @ApiProperty({ example: 'Espresso beans 1 kg', maxLength: 200 })
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

  @ApiPropertyOptional({ example: 'Single-origin, medium roast', maxLength: 5000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  description?: string | null;

  @ApiPropertyOptional({ type: 'integer', example: 100, minimum: 0, maximum: MAX_STOCK, default: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock_quantity?: number;

  @ApiPropertyOptional({ type: 'integer', example: 10, minimum: 0, maximum: MAX_STOCK, default: 0, description: 'Low when quantity <= this' })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_threshold?: number;

  @ApiPropertyOptional({ type: 'integer', example: 50, minimum: 0, maximum: MAX_STOCK, default: 0, description: 'Units the restock pass adds; 0 turns automatic restocking off' })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_quantity?: number;
}
