import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly, CurrentPrincipal, CustomerOrApiKey, ownerScope, type Principal } from '../auth/access';
import { PaginationQueryDto } from '../common/pagination';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiInvalidId, ApiJsonBody, ApiProblem } from '../common/swagger';
import { CustomerErrors } from '../customers/customers.service';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { IdempotencyErrors } from '../idempotency/idempotency.service';
import { CreateOrderDto } from './dto/create-order.dto';
import { CancelOrderDto, ListOrdersQueryDto, UpdateOrderStatusDto } from './dto/order-queries.dto';
import { OrderEnvelopeDto, OrderPageDto, OrderResponseDto, TrackingResponseDto } from './dto/order-response.dto';
import { OrderErrors, OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @CustomerOrApiKey()
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
    example: '6f1c2c8e-5d5b-4f7e-9a57-0a4a1d3b2e11',
  })
  @ApiJsonBody()
  @ApiCreatedResponse({
    type: OrderEnvelopeDto,
    headers: { 'Idempotent-Replayed': { description: '`true` when this is the stored answer to an earlier request with the same key', schema: { type: 'string' } } },
  })
  @ApiProblem(400, ['VALIDATION_FAILED', 'MALFORMED_JSON', OrderErrors.LINE_QUANTITY_TOO_LARGE, IdempotencyErrors.INVALID_KEY])
  @ApiProblem(404, [CustomerErrors.NOT_FOUND, OrderErrors.PRODUCT_NOT_FOUND], 'Unknown or deleted customer or product')
  @ApiProblem(409, [OrderErrors.INSUFFICIENT_STOCK, IdempotencyErrors.IN_PROGRESS], 'Not enough stock, or a request with the same Idempotency-Key is still running')
  @ApiProblem(422, [IdempotencyErrors.KEY_REUSED], 'The Idempotency-Key was used with a different request')
  async place(@Body() dto: CreateOrderDto, @CurrentPrincipal() principal: Principal): Promise<OrderEnvelopeDto> {
    return { message: 'Order placed', order: await this.orders.place(dto, ownerScope(principal)) };
  }

  @Get()
  @ApiKeyOnly()
  @ApiOperation({ summary: 'List orders', description: 'Newest first; filter by `status` and `customer_id`.' })
  @ApiOkResponse({ type: OrderPageDto })
  @ApiProblem(400, ['VALIDATION_FAILED'])
  list(@Query() query: ListOrdersQueryDto): Promise<OrderPageDto> {
    return this.orders.list(query);
  }

  @Get(':id')
  @CustomerOrApiKey()
  @ApiOperation({ summary: 'Read an order' })
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiInvalidId()
  @ApiProblem(404, [OrderErrors.NOT_FOUND])
  findOne(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<OrderResponseDto> {
    return this.orders.findOne(id, ownerScope(principal));
  }

  @Get(':id/track')
  @CustomerOrApiKey()
  @ApiOperation({ summary: 'Track an order', description: 'Status, carrier, tracking number, every status change (oldest first) and the statuses it may move to next.' })
  @ApiOkResponse({ type: TrackingResponseDto })
  @ApiInvalidId()
  @ApiProblem(404, [OrderErrors.NOT_FOUND])
  track(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal): Promise<TrackingResponseDto> {
    return this.orders.track(id, ownerScope(principal));
  }

  @Get(':customer_id/history')
  @CustomerOrApiKey()
  @ApiOperation({ summary: "A customer's order history", description: 'Newest first, paginated. Orders of a deleted customer stay readable.' })
  @ApiParam({ name: 'customer_id', example: 1 })
  @ApiOkResponse({ type: OrderPageDto })
  @ApiProblem(400, ['INVALID_ID', 'VALIDATION_FAILED'])
  @ApiProblem(404, [CustomerErrors.NOT_FOUND])
  history(@Param('customer_id', ParseIdPipe) customerId: number, @Query() page: PaginationQueryDto, @CurrentPrincipal() principal: Principal): Promise<OrderPageDto> {
    return this.orders.history(customerId, page, ownerScope(principal));
  }

  @Post(':id/cancel')
  @CustomerOrApiKey()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel an order',
    description: 'Only `pending` or `processing` orders; the items go back to stock exactly once (`cancel` movements). Body optional.',
  })
  @ApiJsonBody()
  @ApiOkResponse({ type: OrderEnvelopeDto })
  @ApiProblem(400, ['INVALID_ID', 'VALIDATION_FAILED'])
  @ApiProblem(404, [OrderErrors.NOT_FOUND])
  @ApiProblem(409, [OrderErrors.INVALID_STATUS_TRANSITION], 'The order is shipped, delivered or already cancelled')
  async cancel(@Param('id', ParseIdPipe) id: number, @CurrentPrincipal() principal: Principal, @Body() dto: CancelOrderDto = {}): Promise<OrderEnvelopeDto> {
    return { message: 'Order cancelled', order: await this.orders.cancel(id, dto?.reason, ownerScope(principal)) };
  }

  @Patch(':id/status')
  @ApiKeyOnly()
  @ApiOperation({
    summary: 'Move an order to its next status',
    description:
      '`pending → processing → shipped → delivered`, one step at a time; `cancelled` from pending or processing ' +
      '(the same as POST /orders/{id}/cancel: stock is returned). Optional `carrier`, `tracking_number`, `note`.',
  })
  @ApiJsonBody()
  @ApiOkResponse({ type: OrderEnvelopeDto })
  @ApiProblem(400, ['INVALID_ID', 'VALIDATION_FAILED', 'MALFORMED_JSON'])
  @ApiProblem(404, [OrderErrors.NOT_FOUND])
  @ApiProblem(409, [OrderErrors.INVALID_STATUS_TRANSITION], 'The move is not allowed from the current status')
  async changeStatus(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateOrderStatusDto): Promise<OrderEnvelopeDto> {
    return { message: `Order ${dto.status}`, order: await this.orders.changeStatus(id, dto) };
  }
}
