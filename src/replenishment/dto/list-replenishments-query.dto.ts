import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_ID } from '../../common/limits';
import { PaginationQueryDto } from '../../common/pagination';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';
import { REPLENISHMENT_STATUSES, type ReplenishmentStatus } from '../entities/replenishment.entity';

export class ListReplenishmentsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: REPLENISHMENT_STATUSES })
  @IsOptional()
  @IsIn(REPLENISHMENT_STATUSES)
  status?: ReplenishmentStatus;

  @ApiPropertyOptional({ ...ID_SCHEMA, example: 7 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  product_id?: number;
}
