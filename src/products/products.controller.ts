import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, Public } from '../auth/access';
import { MessageDto } from '../common/message.dto';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiInvalidId, ApiJsonBody, ApiProblem, ApiValidation } from '../common/swagger';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQueryDto } from './dto/list-products.dto';
import { ProductCreatedDto, ProductPageDto, ProductResponseDto, ProductUpdatedDto } from './dto/product-response.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductErrors, ProductsService } from './products.service';

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  @ApiKeyOnly()
  @ApiOperation({ summary: 'Create a product', description: 'The opening stock is recorded as an `initial` movement in the ledger.' })
  @ApiJsonBody()
  @ApiCreatedResponse({ type: ProductCreatedDto })
  @ApiValidation()
  async create(@Body() dto: CreateProductDto): Promise<ProductCreatedDto> {
    return { message: 'Product created', product: await this.products.create(dto) };
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'List products', description: 'Oldest first; `search` in name or description, `in_stock=true|false`.' })
  @ApiOkResponse({ type: ProductPageDto })
  @ApiProblem(400, ['VALIDATION_FAILED'])
  list(@Query() query: ListProductsQueryDto): Promise<ProductPageDto> {
    return this.products.list(query);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'Read a product' })
  @ApiOkResponse({ type: ProductResponseDto })
  @ApiInvalidId()
  @ApiProblem(404, [ProductErrors.NOT_FOUND])
  findOne(@Param('id', ParseIdPipe) id: number): Promise<ProductResponseDto> {
    return this.products.findOne(id);
  }

  @Put(':id')
  @ApiKeyOnly()
  @ApiOperation({ summary: 'Update a product', description: 'Partial. `stock_quantity` is refused here (400): use PATCH /products/{id}/stock.' })
  @ApiJsonBody()
  @ApiOkResponse({ type: ProductUpdatedDto })
  @ApiProblem(400, ['VALIDATION_FAILED', 'MALFORMED_JSON', 'INVALID_ID', ProductErrors.EMPTY_UPDATE])
  @ApiProblem(404, [ProductErrors.NOT_FOUND])
  async update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateProductDto): Promise<ProductUpdatedDto> {
    return { message: 'Product updated', product: await this.products.update(id, dto) };
  }

  @Delete(':id')
  @ApiKeyOnly()
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a product', description: 'Soft delete: reads answer 404 afterwards; past orders keep its name and price.' })
  @ApiOkResponse({ type: MessageDto })
  @ApiInvalidId()
  @ApiProblem(404, [ProductErrors.NOT_FOUND])
  async remove(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    await this.products.remove(id);
    return { message: `Product ${id} deleted` };
  }
}
