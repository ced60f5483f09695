import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { newestFirst, Page, readPage, toPage } from '../common/pagination';
import { problem } from '../common/problem';
import { isUniqueViolation } from '../database/driver-errors';
import { DatabaseTime, databaseNow } from '../database/sql-dialect';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { InventoryService } from '../inventory/inventory.service';
import { ProductErrors } from '../products/products.errors';
import { ProductsService } from '../products/products.service';
import { CreateReplenishmentDto } from './dto/create-replenishment.dto';
import { ListReplenishmentsQueryDto } from './dto/list-replenishments-query.dto';
import {
  ReplenishmentPassResultDto,
  ReplenishmentResponseDto,
  RestockedItemDto,
  toReplenishmentResponse,
} from './dto/replenishment-response.dto';
import { OPEN_STATUSES, Replenishment, ReplenishmentOrigin } from './entities/replenishment.entity';
import { ReplenishmentErrors } from './replenishment.errors';
import { ReplenishmentMetrics } from './replenishment.metrics';
import { demandReorderSettings } from './reorder-policy';

const DAY_MS = 24 * 60 * 60 * 1000;

const REPLENISHMENTS_NEWEST_FIRST = newestFirst<Replenishment>('replenishments');

/** What the pass did for one product. */
interface PassOutcome {
  replenishment: ReplenishmentResponseDto;
  /** Set when the order was received at once (lead time 0). */
  restocked?: RestockedItemDto;
}

/**
 * Owns `replenishments`: orders to a supplier, created by hand or by the replenishment pass, received in one
 * or more parts, or cancelled. Each step is one transaction that keeps the product's `incoming_quantity` equal
 * to the units still due on its open orders, and a receipt turns incoming into stock with a `restock` movement
 * (InventoryService.receive). Status changes are conditional UPDATEs on the row read under lock.
 */
@Injectable()
export class ReplenishmentService {
  private readonly logger = new Logger(ReplenishmentService.name);

  constructor(
    @InjectRepository(Replenishment) private readonly replenishmentsRepository: Repository<Replenishment>,
    private readonly productsService: ProductsService,
    private readonly inventoryService: InventoryService,
    private readonly tx: TransactionRunner,
    private readonly replenishmentMetrics: ReplenishmentMetrics,
  ) {}

  /** A manual order: its units count as incoming at once. */
  async create(dto: CreateReplenishmentDto): Promise<ReplenishmentResponseDto> {
    return this.tx.run(async (tx) => {
      if (!(await this.productsService.addIncoming(tx.manager, dto.product_id, dto.quantity))) {
        throw problem(ProductErrors.PRODUCT_NOT_FOUND, `Product ${dto.product_id} not found`, [{ product_id: dto.product_id }]);
      }
      const expectedAt = dto.expected_at ? new Date(dto.expected_at) : null;
      return toReplenishmentResponse(await this.insert(tx, dto.product_id, dto.quantity, 'manual', expectedAt, dto.note ?? null));
    });
  }

  /**
   * Newest first: created_at, then id (ids alone are not ordered in time across Galera nodes), from the index
   * that leads with the filters given: (created_at, id), (status, …), (product_id, …) or (product_id, status, …).
   */
  async list(query: ListReplenishmentsQueryDto): Promise<Page<ReplenishmentResponseDto>> {
    const qb = this.replenishmentsRepository.createQueryBuilder('r');
    if (query.status !== undefined) qb.andWhere('r.status = :status', { status: query.status });
    if (query.product_id !== undefined) qb.andWhere('r.productId = :productId', { productId: query.product_id });
    return toPage(await readPage(qb, query, REPLENISHMENTS_NEWEST_FIRST, replenishmentsIndex(query)), query, toReplenishmentResponse);
  }

  async findOne(id: number): Promise<ReplenishmentResponseDto> {
    const replenishment = await this.replenishmentsRepository.findOneBy({ id });
    if (!replenishment) throw replenishmentNotFound(id);
    return toReplenishmentResponse(replenishment);
  }

  /** Receives `quantity` units, or all that is still due: `partially_received` until everything has come. */
  async receive(id: number, quantity: number | undefined): Promise<ReplenishmentResponseDto> {
    return this.tx.run(async (tx) => {
      const replenishment = await this.lockOpen(tx.manager, id);
      const due = replenishment.quantity - replenishment.receivedQuantity;
      if (quantity !== undefined && quantity > due) {
        throw problem(ReplenishmentErrors.RECEIPT_EXCEEDS_DUE, `Replenishment ${id} has ${due} unit(s) still due, not ${quantity}`, [
          { field: 'quantity', requested: quantity, due },
        ]);
      }
      await this.receiveUnits(tx, replenishment, quantity ?? due);
      return toReplenishmentResponse(replenishment);
    });
  }

  /** Cancels what is still due (a partly received order keeps what came); incoming drops by that much. */
  async cancel(id: number): Promise<ReplenishmentResponseDto> {
    return this.tx.run(async (tx) => {
      const replenishment = await this.lockOpen(tx.manager, id);
      const due = replenishment.quantity - replenishment.receivedQuantity;
      const now = new Date();
      await this.transition(tx.manager, replenishment, {
        status: 'cancelled',
        cancelledAt: now,
        cancelledBy: tx.actor,
        updatedAt: now,
        openAutomaticProductId: null,
      });
      if (!(await this.productsService.cancelIncoming(tx.manager, replenishment.productId, due))) {
        throw new Error(`product ${replenishment.productId} has fewer than ${due} units incoming`);
      }
      const response = toReplenishmentResponse(replenishment);
      await tx.publish({ type: 'replenishment.cancelled', subject: { type: 'replenishment', id }, data: response });
      tx.afterCommit(() => this.replenishmentMetrics.orderCancelled(replenishment.origin));
      return response;
    });
  }

  /**
   * The replenishment pass (scheduled on RESTOCK_CRON, and POST /inventory/restock). First the demand policy
   * recomputes its products' reorder settings from the ledger; then every product whose projected stock
   * (quantity + incoming) is at or below its threshold gets one automatic order of reorder_quantity, received in
   * the same transaction when its lead time is 0. Each product is its own transaction, in ascending id order.
   *
   * Never two open automatic orders for one product: the order's row holds the product's id in a UNIQUE column
   * while it is open, so a second one is refused by the database whatever the number of instances. And a
   * product restocked since this pass began is skipped (the products UPDATE's condition), so passes that run at
   * the same moment also restock a lead-time-0 product once between them.
   */
  async replenish(now = new Date()): Promise<ReplenishmentPassResultDto> {
    try {
      const result = await this.runPass(now);
      this.replenishmentMetrics.passEnded('completed');
      return result;
    } catch (error) {
      this.replenishmentMetrics.passEnded('failed');
      throw error;
    }
  }

  private async runPass(now: Date): Promise<ReplenishmentPassResultDto> {
    await this.applyDemandPolicy(now);
    const outcomes: PassOutcome[] = [];
    // "restocked since this pass began" is judged by the database's clock, which every instance shares
    const passStartedAt = await databaseNow(this.replenishmentsRepository.manager);
    for (const productId of await this.productsService.findReplenishmentCandidates()) {
      const outcome = await this.replenishProduct(productId, passStartedAt);
      if (outcome) outcomes.push(outcome);
    }
    const restocked = outcomes.flatMap((o) => (o.restocked ? [o.restocked] : []));
    const replenishments = outcomes.map((o) => o.replenishment);
    if (outcomes.length) {
      this.logger.log(`Ordered ${replenishments.map((r) => `#${r.product_id} +${r.quantity} (${r.status})`).join(', ')}`);
    }
    return {
      message: `Ordered ${replenishments.length} replenishment(s); restocked ${restocked.length} product(s)`,
      restocked,
      replenishments,
    };
  }

  /** Demand-policy products with sales in the window get the threshold and quantity the formula gives. */
  private async applyDemandPolicy(now: Date): Promise<void> {
    const products = await this.productsService.findDemandPolicyProducts();
    if (!products.length) return;
    const demand = await this.inventoryService.dailyDemand(
      this.replenishmentsRepository.manager,
      products.map((p) => p.id),
      now,
    );
    for (const product of products) {
      const settings = demandReorderSettings(demand.get(product.id)!, {
        leadTimeDays: product.leadTimeDays,
        serviceLevel: product.serviceLevelBp / 10_000,
        coverDays: product.coverDays,
      });
      if (!settings || (settings.reorderThreshold === product.reorderThreshold && settings.reorderQuantity === product.reorderQuantity))
        continue;
      await this.tx.run((tx) => this.productsService.setDemandReorderSettings(tx.manager, product.id, settings));
    }
  }

  private async replenishProduct(productId: number, passStartedAt: DatabaseTime): Promise<PassOutcome | null> {
    try {
      return await this.tx.run(async (tx) => {
        // the common case, read without locking; the UNIQUE column below is what guarantees it
        if (await tx.manager.exists(Replenishment, { where: { openAutomaticProductId: productId } })) return null;
        const ordered = await this.productsService.orderReplenishment(tx.manager, productId, passStartedAt);
        if (!ordered) return null;
        const now = new Date();
        const expectedAt = new Date(now.getTime() + ordered.leadTimeDays * DAY_MS);
        const replenishment = await this.insert(tx, productId, ordered.quantity, 'automatic', expectedAt, null, now);
        if (ordered.leadTimeDays > 0) return { replenishment: toReplenishmentResponse(replenishment) };
        const quantity = await this.receiveUnits(tx, replenishment, replenishment.quantity);
        return {
          replenishment: toReplenishmentResponse(replenishment),
          restocked: { product_id: productId, added: replenishment.quantity, quantity },
        };
      });
    } catch (error) {
      // another pass's automatic order for this product is open (it committed after our first read)
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  private async insert(
    tx: Tx,
    productId: number,
    quantity: number,
    origin: ReplenishmentOrigin,
    expectedAt: Date | null,
    note: string | null,
    now = new Date(),
  ): Promise<Replenishment> {
    const replenishment = await tx.manager.save(
      tx.manager.create(Replenishment, {
        productId,
        quantity,
        receivedQuantity: 0,
        status: 'ordered',
        origin,
        expectedAt,
        note,
        openAutomaticProductId: origin === 'automatic' ? productId : null,
        createdAt: now,
        updatedAt: now,
        receivedAt: null,
        cancelledAt: null,
        createdBy: tx.actor,
        receivedBy: null,
        cancelledBy: null,
      }),
    );
    await tx.publish({
      type: 'replenishment.created',
      subject: { type: 'replenishment', id: replenishment.id },
      data: toReplenishmentResponse(replenishment),
    });
    tx.afterCommit(() => this.replenishmentMetrics.orderCreated(origin));
    return replenishment;
  }

  /** Records a receipt on the (locked or just created) row and moves the units into stock. Returns the stock after. */
  private async receiveUnits(tx: Tx, replenishment: Replenishment, quantity: number): Promise<number> {
    const received = replenishment.receivedQuantity + quantity;
    const complete = received === replenishment.quantity;
    const now = new Date();
    await this.transition(tx.manager, replenishment, {
      receivedQuantity: received,
      status: complete ? 'received' : 'partially_received',
      receivedAt: now,
      receivedBy: tx.actor,
      updatedAt: now,
      ...(complete && { openAutomaticProductId: null }),
    });
    const reason = replenishment.origin === 'automatic' ? 'Automatic restock' : 'Replenishment received';
    const stockAfter = await this.inventoryService.receive(tx, replenishment.productId, quantity, replenishment.id, reason);
    await tx.publish({
      type: 'replenishment.received',
      subject: { type: 'replenishment', id: replenishment.id },
      data: { ...toReplenishmentResponse(replenishment), received_now: quantity },
    });
    tx.afterCommit(() => this.replenishmentMetrics.orderReceived(replenishment.origin));
    return stockAfter;
  }

  /**
   * Changes an open order as read: the UPDATE's condition is the state the decision was made on (open, and the
   * units received so far), so it cannot apply to a row that changed meanwhile. Updates `replenishment` too.
   */
  private async transition(manager: EntityManager, replenishment: Replenishment, changes: Partial<Replenishment>): Promise<void> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Replenishment)
      .set(changes)
      .where({ id: replenishment.id, status: In([...OPEN_STATUSES]), receivedQuantity: replenishment.receivedQuantity })
      .execute();
    if (affected !== 1) throw new Error(`replenishment ${replenishment.id} changed under a row lock`);
    Object.assign(replenishment, changes);
  }

  /**
   * The order, locked until commit (MySQL: SELECT … FOR UPDATE; SQLite's transactions are serialized), if it is
   * still open: 404 when unknown, 409 when received in full or cancelled.
   */
  private async lockOpen(manager: EntityManager, id: number): Promise<Replenishment> {
    const qb = manager.createQueryBuilder(Replenishment, 'r').where('r.id = :id', { id });
    if (manager.connection.options.type === 'mysql') qb.setLock('pessimistic_write');
    const replenishment = await qb.getOne();
    if (!replenishment) throw replenishmentNotFound(id);
    if (replenishment.status === 'cancelled') {
      throw problem(ReplenishmentErrors.REPLENISHMENT_CANCELLED, `Replenishment ${id} was cancelled`, [
        { field: 'status', current: 'cancelled' },
      ]);
    }
    if (replenishment.status === 'received') {
      throw problem(ReplenishmentErrors.REPLENISHMENT_ALREADY_RECEIVED, `Replenishment ${id} was received in full`, [
        { field: 'status', current: 'received' },
      ]);
    }
    return replenishment;
  }
}

const replenishmentNotFound = (id: number) => problem(ReplenishmentErrors.REPLENISHMENT_NOT_FOUND, `Replenishment ${id} not found`);

/** The index that leads with the list's filters and continues with (created_at, id). */
function replenishmentsIndex(query: ListReplenishmentsQueryDto): string {
  if (query.product_id !== undefined) {
    return query.status !== undefined ? 'IDX_replenishments_product_status_created' : 'IDX_replenishments_product_created';
  }
  return query.status !== undefined ? 'IDX_replenishments_status_created' : 'IDX_replenishments_created';
}
