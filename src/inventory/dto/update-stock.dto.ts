import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min, NotEquals } from 'class-validator';
import { IsOptionalNotNull } from '../../common/dto-helpers';
import { MAX_STOCK } from '../../common/limits';

export class UpdateStockDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    example: 100,
    minimum: 0,
    maximum: MAX_STOCK,
    description: 'Set the quantity to this value (excludes `adjustment`)',
  })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  quantity?: number;

  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    example: -3,
    minimum: -MAX_STOCK,
    maximum: MAX_STOCK,
    description: 'Add (or with a minus sign remove) this many units (excludes `quantity`)',
  })
  @IsOptionalNotNull()
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

  @ApiPropertyOptional({ type: 'integer', format: 'int32', example: 10, minimum: 0, maximum: MAX_STOCK })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_threshold?: number;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', example: 50, minimum: 0, maximum: MAX_STOCK })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  reorder_quantity?: number;
}
