import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min, ValidateNested } from 'class-validator';
import { MAX_ID, MAX_LINE_QUANTITY, MAX_LINES } from '../../common/limits';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';
import { hasExactlyKeys, isIntIn, isPlainRecord, ValidationFastPath } from '../../platform/validation-fast-path';

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

@ValidationFastPath(recogniseOrder)
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

/** An order from plainly valid input, or undefined (see ValidationFastPath). */
function recogniseOrder(input: unknown): CreateOrderDto | undefined {
  if (!isPlainRecord(input) || !hasExactlyKeys(input, 'customer_id', 'items')) return undefined;
  const { customer_id, items } = input;
  if (!isIntIn(customer_id, 1, MAX_ID) || !Array.isArray(items) || items.length < 1 || items.length > MAX_LINES) return undefined;
  const lines: OrderLineDto[] = [];
  // by index, so that a hole in a sparse array is seen (and left to the pipe)
  for (let i = 0; i < items.length; i++) {
    const line = recogniseLine(items[i]);
    if (!line) return undefined;
    lines.push(line);
  }
  const dto = new CreateOrderDto();
  dto.customer_id = customer_id;
  dto.items = lines;
  return dto;
}

function recogniseLine(input: unknown): OrderLineDto | undefined {
  if (!isPlainRecord(input) || !hasExactlyKeys(input, 'product_id', 'quantity')) return undefined;
  const { product_id, quantity } = input;
  if (!isIntIn(product_id, 1, MAX_ID) || !isIntIn(quantity, 1, MAX_LINE_QUANTITY)) return undefined;
  const line = new OrderLineDto();
  line.product_id = product_id;
  line.quantity = quantity;
  return line;
}
