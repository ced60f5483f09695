import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { QueryInt } from '../../common/dto-helpers';
import { MAX_ID } from '../../common/limits';
import { PaginationQueryDto } from '../../common/pagination';
import { ORDER_STATUSES, type OrderStatus } from '../order-status';

export class ListOrdersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @ApiPropertyOptional({ type: 'integer', example: 1 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  customer_id?: number;
}
