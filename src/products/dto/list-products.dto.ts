import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import { QueryBoolean } from '../../common/dto-helpers';
import { PaginationQueryDto } from '../../common/pagination';

export class ListProductsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    description: 'Text contained in the name or description. A substring match, which no index serves: a rare text may read many products',
    example: 'espresso',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  search?: string;

  @ApiPropertyOptional({ description: 'true: only products with stock; false: only those without', type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  in_stock?: boolean;
}
