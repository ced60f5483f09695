import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly } from '../auth/access';
import { PaginationQueryDto } from '../common/pagination';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiInvalidId, ApiJsonBody, ApiProblem } from '../common/swagger';
import { LowStockPageDto, RestockResultDto, StockMovementPageDto, StockResponseDto, UpdateStockDto } from './dto/stock.dto';
import { InventoryErrors, InventoryService } from './inventory.service';

@ApiTags('inventory')
@ApiKeyOnly()
@Controller()
export class InventoryController {
  constructor(private readonly inventory: InventoryService) {}

  @Get('products/:id/stock')
  @ApiOperation({ summary: "Read a product's stock level" })
  @ApiOkResponse({ type: StockResponseDto })
  @ApiInvalidId()
  @ApiProblem(404, [InventoryErrors.PRODUCT_NOT_FOUND])
  getStock(@Param('id', ParseIdPipe) id: number): Promise<StockResponseDto> {
    return this.inventory.getStock(id);
  }

  @Patch('products/:id/stock')
  @ApiOperation({
    summary: 'Set or adjust stock, or change reorder settings',
    description: 'Send `quantity` to set the level or `adjustment` to add/remove units (not both), with an optional `reason`; ' +
      'each change is an `adjustment` movement in the ledger. Stock never goes below 0.',
  })
  @ApiJsonBody()
  @ApiOkResponse({ type: StockResponseDto })
  @ApiProblem(400, ['VALIDATION_FAILED', 'MALFORMED_JSON', 'INVALID_ID', InventoryErrors.INVALID_STOCK_UPDATE])
  @ApiProblem(404, [InventoryErrors.PRODUCT_NOT_FOUND])
  @ApiProblem(409, [InventoryErrors.STOCK_BELOW_ZERO], 'The adjustment would take stock below 0')
  update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateStockDto): Promise<StockResponseDto> {
    return this.inventory.update(id, dto);
  }

  @Get('products/:id/stock/movements')
  @ApiOperation({ summary: "A product's stock ledger, newest first", description: 'Types: initial, order, cancel, restock, adjustment. Readable after the product is deleted.' })
  @ApiOkResponse({ type: StockMovementPageDto })
  @ApiProblem(400, ['INVALID_ID', 'VALIDATION_FAILED'])
  @ApiProblem(404, [InventoryErrors.PRODUCT_NOT_FOUND])
  listMovements(@Param('id', ParseIdPipe) id: number, @Query() page: PaginationQueryDto): Promise<StockMovementPageDto> {
    return this.inventory.listMovements(id, page);
  }

  @Get('inventory/low-stock')
  @ApiOperation({ summary: 'Products at or below their reorder threshold', description: 'Lowest quantity first.' })
  @ApiOkResponse({ type: LowStockPageDto })
  @ApiProblem(400, ['VALIDATION_FAILED'])
  listLowStock(@Query() page: PaginationQueryDto): Promise<LowStockPageDto> {
    return this.inventory.listLowStock(page);
  }

  @Post('inventory/restock')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the restock pass now',
    description: 'Adds reorder_quantity to every product with quantity <= reorder_threshold and reorder_quantity > 0, ' +
      'the same pass the scheduled job runs (RESTOCK_CRON). Returns what it restocked.',
  })
  @ApiOkResponse({ type: RestockResultDto })
  async restock(): Promise<RestockResultDto> {
    const restocked = await this.inventory.restockLowStock();
    return { message: `Restocked ${restocked.length} product(s)`, restocked };
  }
}
