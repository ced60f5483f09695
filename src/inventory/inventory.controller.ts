import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly } from '../auth/access';
import { MAX_STOCK } from '../common/limits';
import { PaginationQueryDto } from '../common/pagination';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, QUERY_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { ProductErrors } from '../products/products.errors';
import { LowStockPageDto } from './dto/low-stock-response.dto';
import { RestockResultDto } from './dto/restock-result.dto';
import { StockMovementPageDto } from './dto/stock-movement-response.dto';
import { StockResponseDto } from './dto/stock-response.dto';
import { UpdateStockDto } from './dto/update-stock.dto';
import { InventoryErrors } from './inventory.errors';
import { InventoryService } from './inventory.service';

@ApiTags('inventory')
@ApiKeyOnly()
@Controller()
export class InventoryController {
  constructor(private readonly inventoryService: InventoryService) {}

  @Get('products/:id/stock')
  @ApiOperation({ summary: "Read a product's stock level" })
  @ApiOkResponse({ type: StockResponseDto })
  @ApiProblems(...ID_PROBLEMS, ProductErrors.PRODUCT_NOT_FOUND)
  getStock(@Param('id', ParseIdPipe) id: number): Promise<StockResponseDto> {
    return this.inventoryService.getStock(id);
  }

  @Patch('products/:id/stock')
  @ApiOperation({
    summary: 'Set or adjust stock, or change reorder settings',
    description: 'Send `quantity` to set the level or `adjustment` to add/remove units (not both), with an optional `reason`; ' +
      `each change is an \`adjustment\` movement in the ledger. Stock stays between 0 and ${MAX_STOCK} units (MAX_STOCK): ` +
      'an adjustment past either bound is 409 and changes nothing.',
  })
  @ApiOkResponse({ type: StockResponseDto })
  @ApiProblems(...BODY_PROBLEMS, ...ID_PROBLEMS, InventoryErrors.INVALID_STOCK_UPDATE, ProductErrors.PRODUCT_NOT_FOUND, InventoryErrors.STOCK_BELOW_ZERO, InventoryErrors.STOCK_ABOVE_MAXIMUM)
  update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateStockDto): Promise<StockResponseDto> {
    return this.inventoryService.update(id, dto);
  }

  @Get('products/:id/stock/movements')
  @ApiOperation({ summary: "A product's stock ledger, newest first", description: 'Types: initial, order, cancel, restock, adjustment. Readable after the product is deleted.' })
  @ApiOkResponse({ type: StockMovementPageDto })
  @ApiProblems(...ID_PROBLEMS, ...QUERY_PROBLEMS, ProductErrors.PRODUCT_NOT_FOUND)
  listMovements(@Param('id', ParseIdPipe) id: number, @Query() page: PaginationQueryDto): Promise<StockMovementPageDto> {
    return this.inventoryService.listMovements(id, page);
  }

  @Get('inventory/low-stock')
  @ApiOperation({ summary: 'Products at or below their reorder threshold', description: 'Lowest quantity first.' })
  @ApiOkResponse({ type: LowStockPageDto })
  @ApiProblems(...QUERY_PROBLEMS)
  listLowStock(@Query() page: PaginationQueryDto): Promise<LowStockPageDto> {
    return this.inventoryService.listLowStock(page);
  }

  @Post('inventory/restock')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the restock pass now',
    description: 'Adds reorder_quantity to every product with quantity <= reorder_threshold and reorder_quantity > 0, ' +
      'the same pass the scheduled job runs (RESTOCK_CRON). Returns what it restocked. ' +
      `A product whose reorder_quantity would take it past ${MAX_STOCK} units (MAX_STOCK) is skipped until there is room.`,
  })
  @ApiOkResponse({ type: RestockResultDto })
  async restock(): Promise<RestockResultDto> {
    const restocked = await this.inventoryService.restockLowStock();
    return { message: `Restocked ${restocked.length} product(s)`, restocked };
  }
}
