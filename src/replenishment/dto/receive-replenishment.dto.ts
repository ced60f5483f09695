import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_STOCK } from '../../common/limits';

export class ReceiveReplenishmentDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    example: 10,
    minimum: 1,
    maximum: MAX_STOCK,
    description: 'Units that arrived; without it, all that is still due',
  })
  // null is refused rather than read as "all that is due"
  @ValidateIf((_dto, value) => value !== undefined)
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK)
  quantity?: number;
}
