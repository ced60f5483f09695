import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID, MAX_STOCK } from '../../common/limits';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class CreateReplenishmentDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  product_id: number;

  @ApiProperty({
    type: 'integer',
    format: 'int32',
    example: 40,
    minimum: 1,
    maximum: MAX_STOCK,
    description: 'Units ordered from the supplier',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK)
  quantity: number;

  @ApiPropertyOptional({
    format: 'date-time',
    maxLength: 40,
    example: '2026-11-28T10:00:00.000Z',
    description: 'When the goods should arrive (ISO 8601 date-time, years 1900–2999)',
  })
  @IsOptional()
  // the years both engines' DATETIME columns hold with room to spare, whatever the offset
  @Matches(/^(19|2\d)\d\d-/, { message: 'expected_at must be in the years 1900 to 2999' })
  @IsISO8601({ strict: true, strictSeparator: true })
  expected_at?: string;

  @ApiPropertyOptional({ example: 'PO 2026-118, supplier Acme', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}
