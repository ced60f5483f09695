import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly } from '../auth/access';
import { MAX_STOCK } from '../common/limits';
import { PaginationQueryDto } from '../common/pagination';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, LIST_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { ProductErrors } from '../products/products.errors';
import { LowStockPageDto } from './dto/low-stock-response.dto';
import { StockMovementPageDto } from './dto/stock-movement-response.dto';
import { StockResponseDto } from './dto/stock-response.dto';
import { UpdateStockDto } from './dto/update-stock.dto';
import { InventoryErrors } from './inventory.errors';
import { InventoryService } from './inventory.service';

@ApiTags('inventory')
@Controller()
export class InventoryController {
  constructor(private readonly inventoryService: InventoryService) {}

  @Get('products/:id/stock')
  @ApiKeyOnly('inventory:read')
  @ApiOperation({
    summary: "Read a product's stock level",
    description:
      '`incoming` is the units on open replenishment orders and `projected` = quantity + incoming; with ' +
      '`reorder_policy: demand` the answer also has the `demand` statistics the reorder settings are learned from.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: StockResponseDto })
  @ApiProblems(...ID_PROBLEMS, ProductErrors.PRODUCT_NOT_FOUND)
  getStock(@Param('id', ParseIdPipe) id: number): Promise<StockResponseDto> {
    return this.inventoryService.getStock(id);
  }

  @Patch('products/:id/stock')
  @ApiKeyOnly('inventory:write')
  @ApiOperation({
    summary: 'Set or adjust stock, or change reorder settings',
    description:
      'Send `quantity` to set the level or `adjustment` to add/remove units (not both), with an optional `reason`; ' +
      `each change is an \`adjustment\` movement in the ledger. Stock stays between 0 and ${MAX_STOCK} units (MAX_STOCK): ` +
      'an adjustment past either bound is 409 and changes nothing.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: StockResponseDto })
  @ApiProblems(
    ...BODY_PROBLEMS,
    ...ID_PROBLEMS,
    InventoryErrors.INVALID_STOCK_UPDATE,
    ProductErrors.PRODUCT_NOT_FOUND,
    InventoryErrors.STOCK_BELOW_ZERO,
    InventoryErrors.STOCK_ABOVE_MAXIMUM,
  )
  update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateStockDto): Promise<StockResponseDto> {
    return this.inventoryService.update(id, dto);
  }

  @Get('products/:id/stock/movements')
  @ApiKeyOnly('inventory:read')
  @ApiOperation({
    summary: "A product's stock ledger, newest first",
    description:
      'Types: initial, order, cancel, restock (with the `replenishment_id` received), adjustment. Readable after the product is deleted.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: StockMovementPageDto })
  @ApiProblems(...ID_PROBLEMS, ...LIST_PROBLEMS, ProductErrors.PRODUCT_NOT_FOUND)
  listMovements(@Param('id', ParseIdPipe) id: number, @Query() page: PaginationQueryDto): Promise<StockMovementPageDto> {
    return this.inventoryService.listMovements(id, page);
  }

  @Get('inventory/low-stock')
  @ApiKeyOnly('inventory:read')
  @ApiOperation({ summary: 'Products at or below their reorder threshold', description: 'Lowest quantity first.' })
  @ApiOkResponse({ type: LowStockPageDto })
  @ApiProblems(...LIST_PROBLEMS)
  listLowStock(@Query() page: PaginationQueryDto): Promise<LowStockPageDto> {
    return this.inventoryService.listLowStock(page);
  }
}
