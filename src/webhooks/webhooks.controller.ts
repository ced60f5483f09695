import { ApiIdParam } from '../platform/openapi/api-id-param.decorator';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly } from '../auth/access';
import { CommonErrors } from '../common/common.errors';
import { EVENT_SCHEMA_MODELS } from '../events/dto/event-types.dto';
import { MessageDto } from '../common/message.dto';
import { PaginationQueryDto } from '../common/pagination';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ApiProblems, BODY_PROBLEMS, ID_PROBLEMS, LIST_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { ListDeliveriesQueryDto } from './dto/list-deliveries.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { DeliveryRetryDto, WebhookDeliveryPageDto } from './dto/webhook-delivery-response.dto';
import {
  WebhookCreatedDto,
  WebhookPageDto,
  WebhookResponseDto,
  WebhookSecretRotatedDto,
  WebhookUpdatedDto,
} from './dto/webhook-response.dto';
import { WebhookErrors } from './webhooks.errors';
import { WebhooksService } from './webhooks.service';

const DELIVERY =
  'Each event is POSTed as JSON, exactly as the feed (`GET /events`) shows it: one of the schemas ' +
  `${EVENT_SCHEMA_MODELS.map((model) => `\`${model.name}\``).join(', ')}, told apart by \`type\`. Headers follow Standard Webhooks: ` +
  '`webhook-id` (the event id, the same on every retry), `webhook-timestamp` ' +
  '(unix seconds of this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">` ' +
  'keyed with the base64-decoded part of the secret after `whsec_`. Any 2xx within WEBHOOK_TIMEOUT_MS delivers; ' +
  'otherwise the delivery is retried after each delay of WEBHOOK_RETRY_SCHEDULE (default 5s,5m,30m,2h,5h,10h,10h), ' +
  'then marked failed. 410 Gone disables the endpoint at once; so does WEBHOOK_DISABLE_AFTER (default 5d) of nothing ' +
  'but failures. Events of one subject reach an endpoint in order.';

@ApiTags('webhooks')
@ApiExtraModels(...EVENT_SCHEMA_MODELS)
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooksService: WebhooksService) {}

  @Post()
  @ApiKeyOnly('webhooks:write')
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description: `Answers the endpoint with its signing \`secret\`, shown only here and by rotate-secret. It receives the events committed from about now on. ${DELIVERY}`,
  })
  @ApiCreatedResponse({ type: WebhookCreatedDto })
  @ApiProblems(...BODY_PROBLEMS, WebhookErrors.WEBHOOK_URL_NOT_ALLOWED)
  async create(@Body() dto: CreateWebhookDto): Promise<WebhookCreatedDto> {
    return { message: 'Webhook registered', webhook: await this.webhooksService.create(dto) };
  }

  @Get()
  @ApiKeyOnly('webhooks:write')
  @ApiOperation({ summary: 'List webhook endpoints', description: 'Oldest first; never shows secrets.' })
  @ApiOkResponse({ type: WebhookPageDto })
  @ApiProblems(...LIST_PROBLEMS)
  list(@Query() query: PaginationQueryDto): Promise<WebhookPageDto> {
    return this.webhooksService.list(query);
  }

  @Get(':id')
  @ApiKeyOnly('webhooks:write')
  @ApiOperation({
    summary: 'Read a webhook endpoint',
    description: 'Without its secret; `disabled_reason` says why the server disabled it.',
  })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiProblems(...ID_PROBLEMS, WebhookErrors.WEBHOOK_NOT_FOUND)
  @ApiIdParam('id')
  findOne(@Param('id', ParseIdPipe) id: number): Promise<WebhookResponseDto> {
    return this.webhooksService.findOne(id);
  }

  @Put(':id')
  @ApiKeyOnly('webhooks:write')
  @ApiOperation({
    summary: 'Update a webhook endpoint',
    description:
      'Partial: any of url, event_types, enabled, description. `enabled: true` resumes a disabled endpoint: its pending deliveries go out again.',
  })
  @ApiOkResponse({ type: WebhookUpdatedDto })
  @ApiProblems(
    ...BODY_PROBLEMS,
    ...ID_PROBLEMS,
    CommonErrors.EMPTY_UPDATE,
    WebhookErrors.WEBHOOK_NOT_FOUND,
    WebhookErrors.WEBHOOK_URL_NOT_ALLOWED,
  )
  @ApiIdParam('id')
  async update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateWebhookDto): Promise<WebhookUpdatedDto> {
    return { message: 'Webhook updated', webhook: await this.webhooksService.update(id, dto) };
  }

  @Delete(':id')
  @ApiKeyOnly('webhooks:write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a webhook endpoint', description: 'With its delivery log; nothing more is sent to it.' })
  @ApiOkResponse({ type: MessageDto })
  @ApiProblems(...ID_PROBLEMS, WebhookErrors.WEBHOOK_NOT_FOUND)
  @ApiIdParam('id')
  async remove(@Param('id', ParseIdPipe) id: number): Promise<MessageDto> {
    await this.webhooksService.remove(id);
    return { message: `Webhook ${id} deleted` };
  }

  @Post(':id/rotate-secret')
  @ApiKeyOnly('webhooks:write')
  @HttpCode(200)
  @ApiOperation({
    summary: "Rotate a webhook endpoint's secret",
    description: 'Answers the new secret (shown only now). Every attempt from now on is signed with it; the old one stops at once.',
  })
  @ApiOkResponse({ type: WebhookSecretRotatedDto })
  @ApiProblems(...ID_PROBLEMS, WebhookErrors.WEBHOOK_NOT_FOUND)
  @ApiIdParam('id')
  async rotateSecret(@Param('id', ParseIdPipe) id: number): Promise<WebhookSecretRotatedDto> {
    return { message: 'Secret rotated', webhook: await this.webhooksService.rotateSecret(id) };
  }

  @Get(':id/deliveries')
  @ApiKeyOnly('webhooks:write')
  @ApiOperation({
    summary: "Read a webhook endpoint's delivery log",
    description: 'Newest first, each delivery with every attempt (`attempt_log`); filter by `status`.',
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiProblems(...LIST_PROBLEMS, ...ID_PROBLEMS, WebhookErrors.WEBHOOK_NOT_FOUND)
  @ApiIdParam('id')
  deliveries(@Param('id', ParseIdPipe) id: number, @Query() query: ListDeliveriesQueryDto): Promise<WebhookDeliveryPageDto> {
    return this.webhooksService.deliveries(id, query);
  }

  @Post(':id/deliveries/:delivery_id/retry')
  @ApiKeyOnly('webhooks:write')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Deliver again now',
    description:
      'Makes the delivery due now, whatever its state; the dispatcher sends it within WEBHOOK_DISPATCH_INTERVAL_MS (after any ' +
      'earlier pending delivery of the same subject). If it fails, it continues the retry schedule from its attempt count.',
  })
  @ApiAcceptedResponse({ type: DeliveryRetryDto })
  @ApiProblems(
    ...ID_PROBLEMS,
    WebhookErrors.WEBHOOK_NOT_FOUND,
    WebhookErrors.WEBHOOK_DELIVERY_NOT_FOUND,
    WebhookErrors.WEBHOOK_DISABLED,
    WebhookErrors.WEBHOOK_DELIVERY_IN_PROGRESS,
  )
  @ApiIdParam('id')
  @ApiIdParam('delivery_id')
  async retry(@Param('id', ParseIdPipe) id: number, @Param('delivery_id', ParseIdPipe) deliveryId: number): Promise<DeliveryRetryDto> {
    return { message: 'Delivery queued', delivery: await this.webhooksService.retry(id, deliveryId) };
  }
}
