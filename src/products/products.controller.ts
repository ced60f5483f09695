import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, Public } from '../auth/access';
import { MessageDto } from '../common/message.dto';
import { CommonErrors } from '../common/common.errors';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, LIST_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQueryDto } from './dto/list-products.dto';
import { ProductCreatedDto, ProductPageDto, ProductResponseDto, ProductUpdatedDto } from './dto/product-response.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { ProductErrors } from './products.errors';
import { ProductsService } from './products.service';

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(private readonly productsService: ProductsService) {}

  @Post()
  @ApiKeyOnly('catalog:write')
  @ApiOperation({ summary: 'Create a product', description: 'The opening stock is recorded as an `initial` movement in the ledger.' })
  @ApiCreatedResponse({ type: ProductCreatedDto })
  @ApiProblems(...BODY_PROBLEMS)
  async create(@Body() dto: CreateProductDto): Promise<ProductCreatedDto> {
    return { message: 'Product created', product: await this.productsService.create(dto) };
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'List products', description: 'Oldest first; `search` in name or description, `in_stock=true|false`.' })
  @ApiOkResponse({ type: ProductPageDto })
  @ApiProblems(...LIST_PROBLEMS)
  list(@Query() query: ListProductsQueryDto): Promise<ProductPageDto> {
    return this.productsService.list(query);
  }

  @Get(':id')
  @Public()
  @ApiOperation({ summary: 'Read a product', description: 'Public. A deleted product is 404.' })
  @ApiIdParam('id')
  @ApiOkResponse({ type: ProductResponseDto })
  @ApiProblems(...ID_PROBLEMS, ProductErrors.PRODUCT_NOT_FOUND)
  findOne(@Param('id', ParseIdPipe) id: number): Promise<ProductResponseDto> {
    return this.productsService.findOne(id);
  }

  @Put(':id')
  @ApiKeyOnly('catalog:write')
  @ApiOperation({
    summary: 'Update a product',
    description: 'Partial. `stock_quantity` is refused here (400): use PATCH /products/{id}/stock.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: ProductUpdatedDto })
  @ApiProblems(...BODY_PROBLEMS, ...ID_PROBLEMS, CommonErrors.EMPTY_UPDATE, ProductErrors.PRODUCT_NOT_FOUND)
  async update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateProductDto): Promise<ProductUpdatedDto> {
    return { message: 'Product updated', product: await this.productsService.update(id, dto) };
  }

  @Delete(':id')
  @ApiKeyOnly('catalog:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Delete a product',
    description: 'Soft delete: reads answer 404 afterwards; past orders keep its name and price.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: MessageDto })
  @ApiProblems(...ID_PROBLEMS, ProductErrors.PRODUCT_NOT_FOUND)
  async remove(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    await this.productsService.remove(id);
    return { message: `Product ${id} deleted` };
  }
}
