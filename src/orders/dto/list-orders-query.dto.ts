import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { QueryInt } from '../../common/dto-helpers';
import { MAX_ID } from '../../common/limits';
import { PaginationQueryDto } from '../../common/pagination';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

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
