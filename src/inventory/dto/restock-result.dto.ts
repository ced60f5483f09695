import { ApiProperty } from '@nestjs/swagger';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class RestockedItemDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 50 }) added: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 52 }) quantity: number;
}

export class RestockResultDto {
  @ApiProperty({ example: 'Restocked 1 product(s)' }) message: string;
  @ApiProperty({ type: [RestockedItemDto] }) restocked: RestockedItemDto[];
}
