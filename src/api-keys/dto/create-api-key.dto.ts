import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsString,
  Matches,
  MaxLength,
  ValidateBy,
} from 'class-validator';
import { IsOptionalNotNull, Trim } from '../../common/dto-helpers';
import { SCOPES, type Scope } from '../../auth/scopes';

/** A date-time after now (the request's arrival, by this server's clock). */
function IsInTheFuture() {
  return ValidateBy({
    name: 'isInTheFuture',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && Date.parse(value) > Date.now(),
      defaultMessage: () => '$property must be in the future',
    },
  });
}

export class CreateApiKeyDto {
  @ApiProperty({
    example: 'reporting-service',
    minLength: 1,
    maxLength: 100,
    pattern: '\\S',
    description: 'Who uses the key, as the audit trail and the logs will name it. Not unique: a service rotating its key may hold two.',
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({
    isArray: true,
    enum: SCOPES,
    minItems: 1,
    maxItems: SCOPES.length,
    uniqueItems: true,
    example: ['orders:read', 'events:read'],
    description: 'What the key may do; `admin` is everything, managing API keys included',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true, message: `each of scopes must be one of: ${SCOPES.join(', ')}` })
  scopes: Scope[];

  @ApiPropertyOptional({
    format: 'date-time',
    maxLength: 40,
    example: '2027-06-30T00:00:00.000Z',
    description:
      'When the key stops working (ISO 8601 date-time in the future, before the year 3000); omit it for a key that does not expire',
  })
  @IsOptionalNotNull()
  @IsInTheFuture()
  // the years both engines' DATETIME columns hold, whatever the offset
  @Matches(/^2\d\d\d-/, { message: 'expires_at must be before the year 3000' })
  @IsISO8601({ strict: true, strictSeparator: true })
  @MaxLength(40)
  @IsString()
  expires_at?: string;
}
