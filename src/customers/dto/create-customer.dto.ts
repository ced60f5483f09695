import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Trim } from '../../common/dto-helpers';

export class CreateCustomerDto {
  @ApiProperty({
    example: 'Ada Lovelace',
    minLength: 1,
    maxLength: 200,
    pattern: '\\S',
    description: 'Not blank; surrounding spaces are trimmed',
  })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'ada@example.com', format: 'email', maxLength: 254, description: 'Unique, compared case-insensitively' })
  @Trim()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email: string;

  @ApiPropertyOptional({ type: String, example: '+44 20 7946 0958', maxLength: 32, pattern: '^\\+?[0-9][0-9 ().-]{2,31}$', nullable: true })
  @IsOptional()
  @Trim()
  @IsString()
  @Matches(/^\+?[0-9][0-9 ().-]{2,31}$/, { message: 'phone_number must be digits, spaces, ( ) . - and an optional leading +' })
  phone_number?: string | null;
}
