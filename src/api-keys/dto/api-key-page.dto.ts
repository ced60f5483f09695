import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../common/pagination';
import { ApiKeyResponseDto } from './api-key-response.dto';

export class ApiKeyPageDto extends PageDto {
  @ApiProperty({ type: [ApiKeyResponseDto] }) items: ApiKeyResponseDto[];
}
