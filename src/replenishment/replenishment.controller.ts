import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { CommonErrors } from '../common/common.errors';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly } from '../auth/access';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, LIST_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { ProductErrors } from '../products/products.errors';
import { CreateReplenishmentDto } from './dto/create-replenishment.dto';
import { ListReplenishmentsQueryDto } from './dto/list-replenishments-query.dto';
import { ReceiveReplenishmentDto } from './dto/receive-replenishment.dto';
import {
  ReplenishmentEnvelopeDto,
  ReplenishmentPageDto,
  ReplenishmentPassResultDto,
  ReplenishmentResponseDto,
} from './dto/replenishment-response.dto';
import { ReplenishmentErrors } from './replenishment.errors';
import { ReplenishmentService } from './replenishment.service';

@ApiTags('replenishment')
@Controller()
export class ReplenishmentController {
  constructor(private readonly replenishmentService: ReplenishmentService) {}

  @Get('replenishments')
  @ApiKeyOnly('inventory:read')
  @ApiOperation({ summary: 'List replenishment orders', description: 'Newest first; filter by `status` and `product_id`.' })
  @ApiOkResponse({ type: ReplenishmentPageDto })
  @ApiProblems(...LIST_PROBLEMS)
  list(@Query() query: ListReplenishmentsQueryDto): Promise<ReplenishmentPageDto> {
    return this.replenishmentService.list(query);
  }

  @Post('replenishments')
  @ApiKeyOnly('inventory:write')
  @ApiOperation({
    summary: 'Order stock from a supplier (manual replenishment order)',
    description: "Status `ordered`, origin `manual`. Its units count as the product's `incoming` until they are received or cancelled.",
  })
  @ApiCreatedResponse({ type: ReplenishmentEnvelopeDto })
  @ApiProblems(...BODY_PROBLEMS, ProductErrors.PRODUCT_NOT_FOUND)
  async create(@Body() dto: CreateReplenishmentDto): Promise<ReplenishmentEnvelopeDto> {
    return { message: 'Replenishment ordered', replenishment: await this.replenishmentService.create(dto) };
  }

  @Get('replenishments/:id')
  @ApiKeyOnly('inventory:read')
  @ApiOperation({ summary: 'Read a replenishment order' })
  @ApiOkResponse({ type: ReplenishmentResponseDto })
  @ApiProblems(...ID_PROBLEMS, ReplenishmentErrors.REPLENISHMENT_NOT_FOUND)
  @ApiIdParam('id')
  findOne(@Param('id', ParseIdPipe) id: number): Promise<ReplenishmentResponseDto> {
    return this.replenishmentService.findOne(id);
  }

  @Post('replenishments/:id/receive')
  @ApiKeyOnly('inventory:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a replenishment order, in full or in part',
    description:
      'Body optional: `quantity` units arrived, or without it all that is still due. Stock rises by that much with a ' +
      '`restock` movement carrying `replenishment_id`; status `partially_received` until everything has come, then `received`.',
  })
  @ApiBody({ type: ReceiveReplenishmentDto, required: false })
  @ApiOkResponse({ type: ReplenishmentEnvelopeDto })
  @ApiProblems(
    ...BODY_PROBLEMS,
    ...ID_PROBLEMS,
    ReplenishmentErrors.REPLENISHMENT_NOT_FOUND,
    ReplenishmentErrors.RECEIPT_EXCEEDS_DUE,
    ReplenishmentErrors.REPLENISHMENT_CANCELLED,
    ReplenishmentErrors.REPLENISHMENT_ALREADY_RECEIVED,
  )
  @ApiIdParam('id')
  @ApiBody({ required: false, type: ReceiveReplenishmentDto })
  async receive(@Param('id', ParseIdPipe) id: number, @Body() dto: ReceiveReplenishmentDto = {}): Promise<ReplenishmentEnvelopeDto> {
    const replenishment = await this.replenishmentService.receive(id, dto?.quantity);
    return { message: replenishment.status === 'received' ? 'Replenishment received' : 'Replenishment partially received', replenishment };
  }

  @Post('replenishments/:id/cancel')
  @ApiKeyOnly('inventory:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a replenishment order',
    description:
      'Only `ordered` or `partially_received` orders: what is still due will not come (a partly received order keeps what came).',
  })
  @ApiOkResponse({ type: ReplenishmentEnvelopeDto })
  @ApiProblems(
    ...ID_PROBLEMS,
    ReplenishmentErrors.REPLENISHMENT_NOT_FOUND,
    ReplenishmentErrors.REPLENISHMENT_CANCELLED,
    ReplenishmentErrors.REPLENISHMENT_ALREADY_RECEIVED,
  )
  @ApiIdParam('id')
  async cancel(@Param('id', ParseIdPipe) id: number): Promise<ReplenishmentEnvelopeDto> {
    return { message: 'Replenishment cancelled', replenishment: await this.replenishmentService.cancel(id) };
  }

  // the pass's route keeps its path under /inventory; what it does is replenishment's
  @Post('inventory/restock')
  @ApiKeyOnly('inventory:write')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run the replenishment pass now',
    description:
      'The pass the scheduled job runs (RESTOCK_CRON): recomputes the reorder settings of `demand`-policy products, then ' +
      'creates one automatic replenishment order of `reorder_quantity` for every product with `projected` (quantity + incoming) ' +
      '<= `reorder_threshold` and `reorder_quantity` > 0 that has no open automatic order, expected after `lead_time_days`; ' +
      'with lead time 0 it is received at once and the stock rises now. Returns the orders made and the stock that rose.',
  })
  @ApiOkResponse({ type: ReplenishmentPassResultDto })
  // no body is expected, but one that is sent is parsed and can be refused like any other
  @ApiProblems(CommonErrors.MALFORMED_JSON, CommonErrors.PAYLOAD_TOO_LARGE, CommonErrors.UNSUPPORTED_MEDIA_TYPE)
  restock(): Promise<ReplenishmentPassResultDto> {
    return this.replenishmentService.replenish();
  }
}
