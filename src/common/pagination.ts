import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { QueryInt } from './dto-helpers';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

export class PaginationQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    format: 'int32',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: 'Page size',
  })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit: number = DEFAULT_LIMIT;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 0, maximum: 1_000_000_000, default: 0, description: 'Items to skip' })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  offset: number = 0;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export function toPage<E, T>([rows, total]: [E[], number], query: PaginationQueryDto, map: (row: E) => T): Page<T> {
  return { items: rows.map(map), total, limit: query.limit, offset: query.offset };
}

/** Swagger shape of a page; subclasses narrow `items`. */
export abstract class PageDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 42 }) total: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 20 }) limit: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 0 }) offset: number;
}
