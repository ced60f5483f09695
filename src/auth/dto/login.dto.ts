import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsUsername } from '../../accounts/dto/create-account.dto';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class LoginDto {
  @ApiProperty({
    example: 'ada',
    minLength: 3,
    maxLength: 64,
    pattern: '^[A-Za-z0-9._-]+$',
    description: "The account's username, in any case",
  })
  @IsUsername()
  username: string;

  @ApiProperty({ example: 'password123', writeOnly: true, minLength: 1, maxLength: 128 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password: string;
}

export class TokenResponseDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' }) access_token: string;
  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' }) token_type: 'Bearer';
  @ApiProperty({ type: 'integer', format: 'int32', example: 3600, description: 'Seconds until the token expires' }) expires_in: number;
  @ApiProperty({ ...ID_SCHEMA, example: 1 }) customer_id: number;
}
