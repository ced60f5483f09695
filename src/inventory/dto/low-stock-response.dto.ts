import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../common/pagination';
import { StockResponseDto } from './stock-response.dto';

export class LowStockItemDto extends StockResponseDto {
  @ApiProperty({ example: 'Espresso beans 1 kg' }) name: string;
}

export class LowStockPageDto extends PageDto {
  @ApiProperty({ type: [LowStockItemDto] }) items: LowStockItemDto[];
}
