import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_ID } from '../../common/limits';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

/**
 * What a username may be, wherever one is sent (creating or renaming an account, logging in): a look-alike
 * such as "ada " is refused rather than matched to "ada" by a database that ignores trailing spaces.
 */
export const IsUsername = () =>
  applyDecorators(
    IsString(),
    MinLength(3),
    MaxLength(64),
    Matches(/^[A-Za-z0-9._-]+$/, { message: 'username may contain only letters, digits, ".", "_" and "-"' }),
  );

export class CreateAccountDto {
  @ApiProperty({ ...ID_SCHEMA, example: 1, description: 'The customer this login belongs to (one account per customer)' })
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  customer_id: number;

  @ApiProperty({
    example: 'ada',
    minLength: 3,
    maxLength: 64,
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'Letters, digits, . _ -; unique, case-insensitive',
  })
  @IsUsername()
  username: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 128, writeOnly: true })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password: string;
}
