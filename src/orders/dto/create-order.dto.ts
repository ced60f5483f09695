import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min, ValidateNested } from 'class-validator';
import { MAX_ID, MAX_LINE_QUANTITY, MAX_LINES } from '../../common/limits';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class OrderLineDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  product_id: number;

  @ApiProperty({ type: 'integer', format: 'int32', example: 2, minimum: 1, maximum: MAX_LINE_QUANTITY })
  @IsInt()
  @Min(1)
  @Max(MAX_LINE_QUANTITY)
  quantity: number;
}

export class CreateOrderDto {
  @ApiProperty({ ...ID_SCHEMA, example: 1 })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  customer_id: number;

  @ApiProperty({
    type: [OrderLineDto],
    minItems: 1,
    maxItems: MAX_LINES,
    description: `Lines for the same product are merged (their quantities added; at most ${MAX_LINE_QUANTITY} per product).`,
    example: [
      { product_id: 7, quantity: 2 },
      { product_id: 9, quantity: 1 },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LINES)
  @ValidateNested({ each: true })
  @Type(() => OrderLineDto)
  items: OrderLineDto[];
}
