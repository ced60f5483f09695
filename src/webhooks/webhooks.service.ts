import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { CommonErrors } from '../common/common.errors';
import { byId, Page, PaginationQueryDto, readPage, toPage } from '../common/pagination';
import { problem } from '../common/problem';
import { webhooksConfig, type WebhooksConfig } from '../config/configuration';
import { executeCounting, SqlDialect, sqlDialect } from '../database/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { CreateWebhookDto } from './dto/create-webhook.dto';
import { ListDeliveriesQueryDto } from './dto/list-deliveries.dto';
import { UpdateWebhookDto } from './dto/update-webhook.dto';
import { toDeliveryResponse, WebhookDeliveryDto } from './dto/webhook-delivery-response.dto';
import { toWebhookResponse, WebhookResponseDto, WebhookWithSecretDto } from './dto/webhook-response.dto';
import { WebhookDeliveryAttempt } from './entities/webhook-delivery-attempt.entity';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { Webhook } from './entities/webhook.entity';
import { newSecret } from './signature';
import { forbiddenHost } from './webhook-url';
import { WebhookErrors } from './webhooks.errors';

const WEBHOOKS_BY_ID = byId<Webhook>('webhooks');
const DELIVERIES_NEWEST_FIRST = byId<WebhookDelivery>('webhook-deliveries', 'DESC');

/**
 * Owns `webhooks`, `webhook_deliveries` and `webhook_delivery_attempts`: endpoint registration, the delivery log
 * and manual retries. Nothing here sends anything: the dispatcher does, on its own rounds. Webhook bookkeeping
 * publishes no events.
 */
@Injectable()
export class WebhooksService {
  private readonly sql: SqlDialect;

  constructor(
    @InjectRepository(Webhook) private readonly webhooksRepository: Repository<Webhook>,
    @InjectRepository(WebhookDelivery) private readonly deliveriesRepository: Repository<WebhookDelivery>,
    @InjectDataSource() dataSource: DataSource,
    private readonly tx: TransactionRunner,
    @Inject(webhooksConfig.KEY) private readonly config: WebhooksConfig,
  ) {
    this.sql = sqlDialect(dataSource);
  }

  async create(dto: CreateWebhookDto): Promise<WebhookWithSecretDto> {
    await this.assertUrlAllowed(dto.url);
    const secret = newSecret();
    const saved = await this.tx.run(({ manager }) =>
      manager.save(
        manager.create(Webhook, { url: dto.url, eventTypes: dto.event_types, description: dto.description ?? null, secret, enabled: true }),
      ),
    );
    return { ...toWebhookResponse(saved), secret };
  }

  /** Oldest first, by id (the primary key). */
  async list(query: PaginationQueryDto): Promise<Page<WebhookResponseDto>> {
    return toPage(
      await readPage(this.webhooksRepository.createQueryBuilder('w'), query, WEBHOOKS_BY_ID, 'PRIMARY'),
      query,
      toWebhookResponse,
    );
  }

  async findOne(id: number): Promise<WebhookResponseDto> {
    return toWebhookResponse(await this.get(this.webhooksRepository.manager, id));
  }

  /**
   * Partial. Enabling clears the reason the server disabled the endpoint and its failure streak; its pending
   * deliveries then go out on the dispatcher's next rounds.
   */
  async update(id: number, dto: UpdateWebhookDto): Promise<WebhookResponseDto> {
    if (Object.values(dto).every((value) => value === undefined))
      throw problem(CommonErrors.EMPTY_UPDATE, 'Send at least one of url, event_types, enabled, description');
    // before the transaction: it may resolve the host name, and a transaction awaits nothing but the database
    if (dto.url !== undefined) await this.assertUrlAllowed(dto.url);
    return this.tx.run(async ({ manager }) => {
      const webhook = await this.get(manager, id);
      const changes: Partial<Webhook> = {
        ...(dto.url !== undefined && { url: dto.url }),
        ...(dto.event_types !== undefined && { eventTypes: dto.event_types }),
        ...(dto.description !== undefined && { description: dto.description }),
      };
      if (dto.enabled === true && !webhook.enabled)
        Object.assign(changes, { enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
      if (dto.enabled === false && webhook.enabled)
        Object.assign(changes, { enabled: false, disabledReason: null, disabledAt: new Date() });
      if (Object.keys(changes).length) await manager.update(Webhook, { id }, changes);
      return toWebhookResponse(await this.get(manager, id));
    });
  }

  /** Deletes the endpoint with its deliveries and their attempts (ON DELETE CASCADE). */
  async remove(id: number): Promise<void> {
    await this.tx.run(async ({ manager }) => {
      await this.get(manager, id);
      await manager.delete(Webhook, { id });
    });
  }

  /** A new secret, in force for the next attempt of every delivery; the old one stops working at once. */
  async rotateSecret(id: number): Promise<WebhookWithSecretDto> {
    const secret = newSecret();
    return this.tx.run(async ({ manager }) => {
      await this.get(manager, id);
      await manager.update(Webhook, { id }, { secret });
      return { ...toWebhookResponse(await this.get(manager, id)), secret };
    });
  }

  /**
   * An endpoint's deliveries, newest first, each with every attempt made. By id: the sink creates an endpoint's
   * deliveries in feed order (see WebhookDelivery), from the index (webhook_id, id) or (webhook_id, status, id).
   */
  async deliveries(id: number, query: ListDeliveriesQueryDto): Promise<Page<WebhookDeliveryDto>> {
    await this.get(this.webhooksRepository.manager, id);
    const qb = this.deliveriesRepository.createQueryBuilder('d').where('d.webhookId = :webhookId', { webhookId: id });
    if (query.status) qb.andWhere('d.status = :status', { status: query.status });
    const page = await readPage(
      qb,
      query,
      DELIVERIES_NEWEST_FIRST,
      query.status ? 'IDX_webhook_deliveries_status_log' : 'IDX_webhook_deliveries_log',
    );
    const attempts = await this.attemptsOf(this.deliveriesRepository.manager, page.rows);
    return toPage(page, query, (delivery) => toDeliveryResponse(delivery, attempts.get(delivery.id) ?? []));
  }

  /**
   * Makes a delivery due now, whatever its state: the dispatcher sends it on its next round (this request
   * sends nothing). A delivery that fails again continues the retry schedule from its attempt count, so a
   * delivery that had used up the schedule gets exactly one more attempt. An earlier pending delivery of the same
   * subject to this endpoint still goes first.
   */
  async retry(id: number, deliveryId: number): Promise<WebhookDeliveryDto> {
    return this.tx.run(async ({ manager }) => {
      const webhook = await this.get(manager, id);
      if (!webhook.enabled)
        throw problem(WebhookErrors.WEBHOOK_DISABLED, `Webhook ${id} is disabled: enable it (PUT enabled: true) before retrying`);
      if (!(await manager.exists(WebhookDelivery, { where: { id: deliveryId, webhookId: id } }))) throw deliveryNotFound(id, deliveryId);
      const queued = await executeCounting(
        manager,
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ${this.sql.now}, delivered_at = NULL, updated_at = ${this.sql.now}
          WHERE id = ? AND (claimed_until IS NULL OR claimed_until < ${this.sql.now})`,
        [deliveryId],
      );
      if (queued !== 1) throw problem(WebhookErrors.WEBHOOK_DELIVERY_IN_PROGRESS, `Delivery ${deliveryId} is being sent right now`);
      const delivery = await manager.findOneByOrFail(WebhookDelivery, { id: deliveryId });
      return toDeliveryResponse(delivery, (await this.attemptsOf(manager, [delivery])).get(deliveryId) ?? []);
    });
  }

  private async get(manager: EntityManager, id: number): Promise<Webhook> {
    const webhook = await manager.findOne(Webhook, { where: { id } });
    if (!webhook) throw problem(WebhookErrors.WEBHOOK_NOT_FOUND, `Webhook ${id} not found`);
    return webhook;
  }

  private async attemptsOf(manager: EntityManager, deliveries: WebhookDelivery[]): Promise<Map<number, WebhookDeliveryAttempt[]>> {
    const byDelivery = new Map<number, WebhookDeliveryAttempt[]>();
    if (!deliveries.length) return byDelivery;
    const attempts = await manager.find(WebhookDeliveryAttempt, {
      where: { deliveryId: In(deliveries.map((delivery) => delivery.id)) },
      order: { deliveryId: 'ASC', attempt: 'ASC', id: 'ASC' },
    });
    for (const attempt of attempts) byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt]);
    return byDelivery;
  }

  /** In production, loopback and link-local receivers are refused unless WEBHOOK_ALLOW_LOOPBACK=true. */
  private async assertUrlAllowed(url: string): Promise<void> {
    if (this.config.allowLoopback) return;
    const reason = await forbiddenHost(url);
    if (reason) throw problem(WebhookErrors.WEBHOOK_URL_NOT_ALLOWED, `url is not allowed: ${reason}`, [{ field: 'url', message: reason }]);
  }
}

const deliveryNotFound = (id: number, deliveryId: number) =>
  problem(WebhookErrors.WEBHOOK_DELIVERY_NOT_FOUND, `Webhook ${id} has no delivery ${deliveryId}`);
