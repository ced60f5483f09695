import { ApiProperty } from '@nestjs/swagger';

export class RestockedItemDto {
  @ApiProperty({ type: 'integer', example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', example: 50 }) added: number;
  @ApiProperty({ type: 'integer', example: 52 }) quantity: number;
}

export class RestockResultDto {
  @ApiProperty({ example: 'Restocked 1 product(s)' }) message: string;
  @ApiProperty({ type: [RestockedItemDto] }) restocked: RestockedItemDto[];
}
