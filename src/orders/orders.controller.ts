import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, CurrentPrincipal, CustomerOrApiKey, ownerScope, type Principal } from '../auth/access';
import { PaginationQueryDto } from '../common/pagination';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { CustomerErrors } from '../customers/customers.errors';
import { IdempotencyErrors } from '../idempotency/idempotency.errors';
import { IdempotencyClaimOf, IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import type { IdempotencyClaim } from '../idempotency/idempotency.service';
import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, LIST_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { ProductErrors } from '../products/products.errors';
import { CancelOrderDto } from './dto/cancel-order.dto';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderEnvelopeDto, OrderPageDto, OrderResponseDto, TrackingResponseDto } from './dto/order-response.dto';
import { UpdateOrderStatusDto } from './dto/update-order-status.dto';
import { OrderErrors } from './orders.errors';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly ordersService: OrdersService) {}

  @Post()
  @CustomerOrApiKey('orders:write')
  @ApiOperation({
    summary: 'Place an order',
    description:
      'All or nothing: stock is taken for every line or for none. Lines for the same product are merged. ' +
      'Unit prices and names are copied from the products; `total_price` is the exact sum of the line totals. ' +
      'Insufficient stock is 409 `INSUFFICIENT_STOCK` with `errors: [{product_id, requested, available}]`. ' +
      'With an `Idempotency-Key`, a retry with the same key and body returns the first answer (also an error ' +
      'answer) with `Idempotent-Replayed: true` and places nothing; keys belong to the caller and are kept 24 hours.',
  })
  @UseInterceptors(IdempotencyInterceptor)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Any unique string (1–255 printable ASCII characters), e.g. a UUID, to make retries safe',
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
    example: '6f1c2c8e-5d5b-4f7e-9a57-0a4a1d3b2e11',
  })
  @ApiCreatedResponse({
    type: OrderEnvelopeDto,
    headers: {
      'Idempotent-Replayed': {
        description: '`true` when this is the stored answer to an earlier request with the same key',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(
    ...BODY_PROBLEMS,
    OrderErrors.LINE_QUANTITY_TOO_LARGE,
    IdempotencyErrors.INVALID_IDEMPOTENCY_KEY,
    CustomerErrors.CUSTOMER_NOT_FOUND,
    ProductErrors.PRODUCT_NOT_FOUND,
    OrderErrors.INSUFFICIENT_STOCK,
    IdempotencyErrors.IDEMPOTENCY_REQUEST_IN_PROGRESS,
    IdempotencyErrors.IDEMPOTENCY_KEY_REUSED,
  )
  place(
    @Body() dto: CreateOrderDto,
    @CurrentPrincipal() principal: Principal,
    @IdempotencyClaimOf() idempotency?: IdempotencyClaim,
  ): Promise<OrderEnvelopeDto> {
    return this.ordersService.place(dto, ownerScope(principal), idempotency);
  }

  @Get()
  @ApiKeyOnly('orders:read')
  @ApiOperation({ summary: 'List orders', description: 'Newest first; filter by `status` and `customer_id`.' })
  @ApiOkResponse({ type: OrderPageDto })
  @ApiProblems(...LIST_PROBLEMS)
  list(@Query() query: ListOrdersQueryDto): Promise<OrderPageDto> {
    return this.ordersService.list(query);
  }

  @Get(':id')
  @CustomerOrApiKey('orders:read')
  @ApiOperation({ summary: 'Read an order', description: 'A customer token reads only its own orders (404 for others).' })
  @ApiIdParam('id')
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiProblems(...ID_PROBLEMS, OrderErrors.ORDER_NOT_FOUND)
  findOne(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<OrderResponseDto> {
    return this.ordersService.findOne(id, ownerScope(principal));
  }

  @Get(':id/track')
  @CustomerOrApiKey('orders:read')
  @ApiOperation({
    summary: 'Track an order',
    description: 'Status, carrier, tracking number, every status change (oldest first) and the statuses it may move to next.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: TrackingResponseDto })
  @ApiProblems(...ID_PROBLEMS, OrderErrors.ORDER_NOT_FOUND)
  track(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<TrackingResponseDto> {
    return this.ordersService.track(id, ownerScope(principal));
  }

  @Get(':customer_id/history')
  @CustomerOrApiKey('orders:read')
  @ApiOperation({
    summary: "A customer's order history",
    description: 'Newest first, paginated. Orders of a deleted customer stay readable.',
  })
  @ApiIdParam('customer_id')
  @ApiOkResponse({ type: OrderPageDto })
  @ApiProblems(...ID_PROBLEMS, ...LIST_PROBLEMS, CustomerErrors.CUSTOMER_NOT_FOUND)
  history(
    @Param('customer_id', ParseIdPipe) customerId: number,
    @Query() page: PaginationQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrderPageDto> {
    return this.ordersService.history(customerId, page, ownerScope(principal));
  }

  @Post(':id/cancel')
  @CustomerOrApiKey('orders:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel an order',
    description:
      'Only `pending` or `processing` orders; the items go back to stock exactly once (`cancel` movements), ' +
      'as many as fit under MAX_STOCK if adjustments since the order filled the product up. Body optional.',
  })
  @ApiBody({ required: false, type: CancelOrderDto })
  @ApiIdParam('id')
  @ApiOkResponse({ type: OrderEnvelopeDto })
  @ApiProblems(...BODY_PROBLEMS, ...ID_PROBLEMS, OrderErrors.ORDER_NOT_FOUND, OrderErrors.INVALID_STATUS_TRANSITION)
  async cancel(
    @Param('id', ParseIdPipe) id: number,
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CancelOrderDto = {},
  ): Promise<OrderEnvelopeDto> {
    return { message: 'Order cancelled', order: await this.ordersService.cancel(id, dto?.reason, ownerScope(principal)) };
  }

  @Patch(':id/status')
  @ApiKeyOnly('orders:write')
  @ApiOperation({
    summary: 'Move an order to its next status',
    description:
      '`pending → processing → shipped → delivered`, one step at a time; `cancelled` from pending or processing ' +
      '(the same as POST /orders/{id}/cancel: stock is returned). Optional `carrier`, `tracking_number`, `note`.',
  })
  @ApiIdParam('id')
  @ApiOkResponse({ type: OrderEnvelopeDto })
  @ApiProblems(...BODY_PROBLEMS, ...ID_PROBLEMS, OrderErrors.ORDER_NOT_FOUND, OrderErrors.INVALID_STATUS_TRANSITION)
  async changeStatus(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateOrderStatusDto): Promise<OrderEnvelopeDto> {
    return { message: `Order ${dto.status}`, order: await this.ordersService.changeStatus(id, dto) };
  }
}
