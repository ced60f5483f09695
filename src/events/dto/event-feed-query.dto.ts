import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { QueryInt } from '../../common/dto-helpers';
import { EVENT_TYPES, type EventType } from '../event';

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1000;

export class EventFeedQueryDto {
  @ApiPropertyOptional({
    description: '`next_cursor` of the previous page; absent: from the oldest event kept',
    example: 'djE6NDI',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  after?: string;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: FEED_MAX_LIMIT, default: FEED_DEFAULT_LIMIT })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(FEED_MAX_LIMIT)
  limit: number = FEED_DEFAULT_LIMIT;

  @ApiPropertyOptional({
    description: 'Only these types: repeat `type`, or separate them with commas',
    example: ['order.created', 'order.cancelled'],
    enum: EVENT_TYPES,
    isArray: true,
    maxItems: EVENT_TYPES.length,
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((type) => type.trim()) : value))
  @ArrayMaxSize(EVENT_TYPES.length)
  @IsIn(EVENT_TYPES, { each: true, message: `type must be one or more of: ${EVENT_TYPES.join(', ')}` })
  type?: EventType[];
}
