import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyWithSecretDto } from './api-key-with-secret.dto';

export class ApiKeyCreatedDto {
  @ApiProperty({ example: 'API key created: store the key now, it is not shown again' }) message: string;
  @ApiProperty() api_key: ApiKeyWithSecretDto;
}
