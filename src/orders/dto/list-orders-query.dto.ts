import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { queryInt, QueryInt } from '../../common/dto-helpers';
import { MAX_ID } from '../../common/limits';
import { PAGE_FIELDS, PaginationQueryDto, recognisePage } from '../../common/pagination';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';
import { ValidationFastPath } from '../../platform/validation-fast-path';

const FIELDS = {
  ...PAGE_FIELDS,
  status: (value: string) => ORDER_STATUSES.find((status) => status === value),
  customer_id: (value: string) => queryInt(value, 1, MAX_ID),
};

@ValidationFastPath((input) => recognisePage(input, ListOrdersQueryDto, FIELDS))
export class ListOrdersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @ApiPropertyOptional({ ...ID_SCHEMA, example: 1 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  customer_id?: number;
}
