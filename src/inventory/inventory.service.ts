import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { MAX_STOCK } from '../common/limits';
import { newestFirst, Page, PaginationQueryDto, readPage, toPage } from '../common/pagination';
import { problem } from '../common/problem';
import { inventoryConfig, type InventoryConfig } from '../config/configuration';
import { insertRows } from '../database/insert-rows';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { Product } from '../products/entities/product.entity';
import { ProductsService, type StockLevel } from '../products/products.service';
import { DailyDemand, demandWindowStart } from './demand';
import { LowStockItemDto } from './dto/low-stock-response.dto';
import { StockMovementDto, toMovementResponse } from './dto/stock-movement-response.dto';
import { StockResponseDto, toStockResponse } from './dto/stock-response.dto';
import { UpdateStockDto } from './dto/update-stock.dto';
import { MovementType, ReferenceType, StockMovement } from './entities/stock-movement.entity';
import { InventoryErrors } from './inventory.errors';

const LEDGER_NEWEST_FIRST = newestFirst<StockMovement>('stock-movements');

interface Movement {
  productId: number;
  type: MovementType;
  delta: number;
  referenceType: ReferenceType;
  referenceId?: number | null;
  reason?: string | null;
}

/**
 * Owns the stock ledger (`stock_movements`) and every change of a product's stock: each change is one
 * conditional UPDATE of the product (through ProductsService) that cannot take the quantity below zero or above MAX_STOCK,
 * followed in the same transaction by its ledger row and its `stock.changed` event (and `stock.low` when
 * it took the product down to its reorder threshold), so the sum of a product's movements always equals
 * its quantity. Methods that take a Tx run inside the caller's transaction.
 */
@Injectable()
export class InventoryService implements OnModuleInit {
  private readonly logger = new Logger(InventoryService.name);

  constructor(
    @InjectRepository(StockMovement) private readonly movementsRepository: Repository<StockMovement>,
    private readonly productsService: ProductsService,
    private readonly tx: TransactionRunner,
    @Inject(inventoryConfig.KEY) private readonly config: InventoryConfig,
  ) {}

  /** A new product's opening stock is its `initial` movement, in the transaction that creates it. */
  onModuleInit(): void {
    this.tx.onPublish('product.created', async (tx, event) => {
      const { id, stock_quantity } = event.data as { id: number; stock_quantity: number };
      await this.record(tx, { productId: id, type: 'initial', delta: stock_quantity, referenceType: 'initial', reason: 'Initial stock' });
    });
  }

  /**
   * Takes `quantity` units for an order if there are that many; false (and nothing changed) otherwise. `locked` is
   * the product's stock as this transaction read it under the row's lock (ProductsService.lockActive), so the
   * quantity after the change is known without reading the row again.
   */
  async take(tx: Tx, productId: number, quantity: number, orderId: number, locked: StockLevel): Promise<boolean> {
    if (!(await this.productsService.takeStock(tx.manager, productId, quantity))) return false;
    const after = { quantity: locked.quantity - quantity, reorderThreshold: locked.reorderThreshold };
    await this.record(tx, { productId, type: 'order', delta: -quantity, referenceType: 'order', referenceId: orderId }, after);
    return true;
  }

  /**
   * Returns units of a cancelled order (also to a product deleted since: the ledger stays whole), as many as fit
   * under MAX_STOCK; the cancel movement records the units actually returned.
   */
  async giveBack(tx: Tx, productId: number, quantity: number, orderId: number, reason: string | null): Promise<void> {
    const returned = await this.productsService.returnStock(tx.manager, productId, quantity);
    if (returned < quantity) {
      this.logger.warn(
        `Cancel of order ${orderId} returned ${returned} of ${quantity} units of product ${productId}: stock is at MAX_STOCK (${MAX_STOCK})`,
      );
    }
    await this.record(tx, { productId, type: 'cancel', delta: returned, referenceType: 'order', referenceId: orderId, reason });
  }

  /**
   * Units of a replenishment order arrived: incoming becomes stock in one conditional UPDATE, with a `restock`
   * movement that names the replenishment. Returns the quantity after.
   */
  async receive(tx: Tx, productId: number, quantity: number, replenishmentId: number, reason: string | null): Promise<number> {
    if (!(await this.productsService.receiveIncoming(tx.manager, productId, quantity))) {
      const { quantity: available } = await this.productsService.stockLevel(tx.manager, productId);
      if (available + quantity > MAX_STOCK) {
        throw problem(
          InventoryErrors.STOCK_ABOVE_MAXIMUM,
          `Receiving ${quantity} units would take product ${productId} above ${MAX_STOCK}`,
          [{ product_id: productId, requested: quantity, available, maximum: MAX_STOCK }],
        );
      }
      // every open replenishment's due units are counted in incoming_quantity, in the same transactions
      throw new Error(`product ${productId} has fewer than ${quantity} units incoming`);
    }
    return this.record(tx, {
      productId,
      type: 'restock',
      delta: quantity,
      referenceType: 'replenishment',
      referenceId: replenishmentId,
      reason,
    });
  }

  async getStock(productId: number): Promise<StockResponseDto> {
    const { manager } = this.movementsRepository;
    return (await this.stockAnswers(manager, [await this.productsService.getActive(manager, productId)]))[0];
  }

  async update(productId: number, dto: UpdateStockDto): Promise<StockResponseDto> {
    if (dto.quantity !== undefined && dto.adjustment !== undefined) {
      throw problem(InventoryErrors.INVALID_STOCK_UPDATE, 'Send either quantity (set) or adjustment (delta), not both');
    }
    const fields = ['quantity', 'adjustment', 'reorder_threshold', 'reorder_quantity'] as const;
    if (!fields.some((field) => dto[field] !== undefined)) {
      throw problem(InventoryErrors.INVALID_STOCK_UPDATE, 'Send quantity, adjustment, reorder_threshold or reorder_quantity');
    }
    const product = await this.tx.run(async (tx) => {
      await this.productsService.getActive(tx.manager, productId);
      if (dto.reorder_threshold !== undefined || dto.reorder_quantity !== undefined) {
        await this.productsService.setReorderSettings(tx.manager, productId, {
          ...(dto.reorder_threshold !== undefined && { reorderThreshold: dto.reorder_threshold }),
          ...(dto.reorder_quantity !== undefined && { reorderQuantity: dto.reorder_quantity }),
        });
      }
      const reason = dto.reason ?? null;
      if (dto.adjustment !== undefined) await this.adjustBy(tx, productId, dto.adjustment, reason);
      if (dto.quantity !== undefined) {
        const delta = await this.productsService.setStock(tx.manager, productId, dto.quantity);
        if (delta) await this.record(tx, { productId, type: 'adjustment', delta, referenceType: 'adjustment', reason });
      }
      return this.productsService.getActive(tx.manager, productId);
    });
    return (await this.stockAnswers(this.movementsRepository.manager, [product]))[0];
  }

  /**
   * A product's ledger, newest first, from the index (product_id, created_at, id) without sorting. The ledger of a
   * deleted product stays readable for audits.
   */
  async listMovements(productId: number, page: PaginationQueryDto): Promise<Page<StockMovementDto>> {
    await this.productsService.assertEverExisted(this.movementsRepository.manager, productId);
    const qb = this.movementsRepository.createQueryBuilder('m').where('m.productId = :productId', { productId });
    return toPage(await readPage(qb, page, LEDGER_NEWEST_FIRST, 'IDX_stock_movements_product_created'), page, toMovementResponse);
  }

  async listLowStock(page: PaginationQueryDto): Promise<Page<LowStockItemDto>> {
    const products = await this.productsService.findLowStock(page);
    const answers = await this.stockAnswers(this.movementsRepository.manager, products.rows);
    return toPage(products, page, (product, i) => ({ ...answers[i], name: product.name }));
  }

  /**
   * Each product's daily demand over the last DEMAND_WINDOW_DAYS calendar days (UTC, today included), from the
   * ledger: `order` and `cancel` movements netted per day in SQL, then summed over the days (see demand.ts).
   * Every id gets an entry; days without sales are zeros.
   */
  async dailyDemand(manager: EntityManager, productIds: number[], now = new Date()): Promise<Map<number, DailyDemand>> {
    const windowDays = this.config.demandWindowDays;
    const demand = new Map(productIds.map((id) => [id, { windowDays, total: 0, sumOfSquares: 0 }]));
    const since = demandWindowStart(now, windowDays);
    for (let i = 0; i < productIds.length; i += DEMAND_BATCH) {
      const ids = productIds.slice(i, i + DEMAND_BATCH);
      const rows = await manager
        .createQueryBuilder()
        .select('d.product_id', 'product_id')
        .addSelect('SUM(d.net)', 'total')
        .addSelect('SUM(d.net * d.net)', 'squares')
        .from(
          (day) =>
            day
              .subQuery()
              .select('m.product_id', 'product_id')
              // an order's delta is negative, a cancel's positive: units ordered net of cancels
              .addSelect('-SUM(m.delta)', 'net')
              .from(StockMovement, 'm')
              .where('m.product_id IN (:...ids)', { ids })
              .andWhere("m.type IN ('order', 'cancel')")
              .andWhere('m.created_at >= :since', { since })
              // DATE() is the UTC calendar day on both engines: timestamps are stored in UTC
              .groupBy('m.product_id')
              .addGroupBy('DATE(m.created_at)'),
          'd',
        )
        .groupBy('d.product_id')
        .getRawMany<{ product_id: number | string; total: number | string; squares: number | string }>();
      for (const row of rows)
        demand.set(Number(row.product_id), { windowDays, total: Number(row.total), sumOfSquares: Number(row.squares) });
    }
    return demand;
  }

  /** Stock answers, with the demand statistics of the products on the demand policy. */
  private async stockAnswers(manager: EntityManager, products: Product[]): Promise<StockResponseDto[]> {
    const demand = await this.dailyDemand(
      manager,
      products.filter((p) => p.reorderPolicy === 'demand').map((p) => p.id),
    );
    return products.map((p) => toStockResponse(p, demand.get(p.id)));
  }

  private async adjustBy(tx: Tx, productId: number, delta: number, reason: string | null): Promise<void> {
    if (!(await this.productsService.adjustStock(tx.manager, productId, delta))) {
      const available = (await this.productsService.availableStock(tx.manager, [productId])).get(productId) ?? 0;
      if (available + delta < 0) {
        throw problem(InventoryErrors.STOCK_BELOW_ZERO, `Stock of product ${productId} cannot go below 0`, [
          { product_id: productId, requested: delta, available },
        ]);
      }
      throw problem(InventoryErrors.STOCK_ABOVE_MAXIMUM, `Stock of product ${productId} cannot go above ${MAX_STOCK}`, [
        { product_id: productId, requested: delta, available, maximum: MAX_STOCK },
      ]);
    }
    await this.record(tx, { productId, type: 'adjustment', delta, referenceType: 'adjustment', reason });
  }

  /**
   * The ledger row of a change just made, with the quantity after it (`after`, when the caller knows it from the
   * row it holds locked; otherwise read from the product row this transaction holds locked), and its events.
   * Returns the quantity after.
   */
  private async record(tx: Tx, m: Movement, after?: StockLevel): Promise<number> {
    const level = after ?? (await this.productsService.stockLevel(tx.manager, m.productId));
    // a plain constructor rather than manager.create, which copies the same fields one by one through the metadata
    const movement = Object.assign(new StockMovement(), {
      productId: m.productId,
      type: m.type,
      delta: m.delta,
      quantityAfter: level.quantity,
      referenceType: m.referenceType,
      referenceId: m.referenceId ?? null,
      reason: m.reason ?? null,
      // in the same INSERT: naming who moved the stock costs no query of its own on the order path
      actor: tx.actor,
      // stamped here rather than by the column default, so that the event carries it without a second read
      createdAt: new Date(),
    });
    // no read-back of generated columns: the id comes from the driver's answer
    movement.id = await insertRows(tx.manager, StockMovement, [movement]);
    const subject = { type: 'product' as const, id: m.productId };
    await tx.publish({
      type: 'stock.changed',
      subject,
      data: { ...toMovementResponse(movement), product_id: m.productId, quantity: level.quantity },
    });
    const before = level.quantity - m.delta;
    if (before > level.reorderThreshold && level.quantity <= level.reorderThreshold) {
      await tx.publish({
        type: 'stock.low',
        subject,
        data: { product_id: m.productId, quantity: level.quantity, reorder_threshold: level.reorderThreshold },
      });
    }
    return level.quantity;
  }
}

/** Products per demand query: keeps the IN list well inside every engine's limits. */
const DEMAND_BATCH = 500;
