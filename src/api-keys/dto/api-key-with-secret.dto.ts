import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyResponseDto } from './api-key-response.dto';

export class ApiKeyWithSecretDto extends ApiKeyResponseDto {
  @ApiProperty({
    example: 'eak_3f9c0a1b2d4e_Jx8k2mQ0vN4pL7sT1wY5zA9cE3gH6jK8mP2rU4xB0dF',
    pattern: '^eak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$',
    description: 'The key to send as X-API-Key. Shown only now: the server keeps nothing but its hash.',
  })
  key: string;
}
