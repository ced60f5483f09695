import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { Trim } from '../../common/dto-helpers';
import { EVENT_TYPE_PATTERNS } from '../event-type-patterns';

/** An absolute http(s) URL without credentials (fetch refuses those, and they would be shown by GET). */
function IsHttpUrl() {
  return ValidateBy({
    name: 'isHttpUrl',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || !URL.canParse(value)) return false;
        const url = new URL(value);
        return ['http:', 'https:'].includes(url.protocol) && url.hostname !== '' && !url.username && !url.password;
      },
      defaultMessage: () => '$property must be an absolute http or https URL without a user name or password',
    },
  });
}

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://fulfilment.internal.example/hooks/ecommerce',
    maxLength: 2048,
    description:
      'http or https. In production a loopback or link-local address (literal, `localhost`, or a name resolving to one) is refused unless WEBHOOK_ALLOW_LOOPBACK=true.',
  })
  @Trim()
  @IsString()
  @MaxLength(2048)
  @IsHttpUrl()
  url: string;

  @ApiProperty({
    isArray: true,
    enum: EVENT_TYPE_PATTERNS,
    minItems: 1,
    maxItems: EVENT_TYPE_PATTERNS.length,
    uniqueItems: true,
    example: ['order.*', 'stock.low'],
    description: 'Which events this endpoint receives: exact types, every type of a kind (`order.*`), or everything (`*`)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPE_PATTERNS.length)
  @ArrayUnique()
  @IsIn(EVENT_TYPE_PATTERNS, { each: true, message: `each of event_types must be one of: ${EVENT_TYPE_PATTERNS.join(', ')}` })
  event_types: string[];

  @ApiPropertyOptional({ example: 'Fulfilment service: ships placed orders', maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}
