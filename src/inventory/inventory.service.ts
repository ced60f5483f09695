import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Page, PaginationQueryDto, toPage } from '../common/pagination';
import { problem } from '../common/problem';
import { databaseNow } from '../database/database-clock';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { ProductsService } from '../products/products.service';
import { LowStockItemDto } from './dto/low-stock-response.dto';
import { RestockedItemDto } from './dto/restock-result.dto';
import { StockMovementDto, toMovementResponse } from './dto/stock-movement-response.dto';
import { StockResponseDto, toStockResponse } from './dto/stock-response.dto';
import { UpdateStockDto } from './dto/update-stock.dto';
import { MovementType, ReferenceType, StockMovement } from './entities/stock-movement.entity';
import { InventoryErrors } from './inventory.errors';

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
 * conditional UPDATE of the product (through ProductsService) that cannot take the quantity below zero,
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
  ) {}

  /** A new product's opening stock is its `initial` movement, in the transaction that creates it. */
  onModuleInit(): void {
    this.tx.onPublish('product.created', async (tx, event) => {
      const { id, stock_quantity } = event.data as { id: number; stock_quantity: number };
      await this.record(tx, { productId: id, type: 'initial', delta: stock_quantity, referenceType: 'initial', reason: 'Initial stock' });
    });
  }

  /** Takes `quantity` units for an order if there are that many; false (and nothing changed) otherwise. */
  async take(tx: Tx, productId: number, quantity: number, orderId: number): Promise<boolean> {
    if (!(await this.productsService.takeStock(tx.manager, productId, quantity))) return false;
    await this.record(tx, { productId, type: 'order', delta: -quantity, referenceType: 'order', referenceId: orderId });
    return true;
  }

  /** Returns units of a cancelled order (also to a product deleted since: the ledger stays whole). */
  async giveBack(tx: Tx, productId: number, quantity: number, orderId: number, reason: string | null): Promise<void> {
    await this.productsService.returnStock(tx.manager, productId, quantity);
    await this.record(tx, { productId, type: 'cancel', delta: quantity, referenceType: 'order', referenceId: orderId, reason });
  }

  async getStock(productId: number): Promise<StockResponseDto> {
    return toStockResponse(await this.productsService.getActive(this.movementsRepository.manager, productId));
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
    return toStockResponse(product);
  }

  /**
   * The ledger, newest first: created_at, then id (ids alone are not ordered in time across Galera nodes).
   * The ledger of a deleted product stays readable for audits.
   */
  async listMovements(productId: number, page: PaginationQueryDto): Promise<Page<StockMovementDto>> {
    await this.productsService.assertEverExisted(this.movementsRepository.manager, productId);
    const result = await this.movementsRepository.findAndCount({
      where: { productId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return toPage(result, page, toMovementResponse);
  }

  async listLowStock(page: PaginationQueryDto): Promise<Page<LowStockItemDto>> {
    return toPage(await this.productsService.findLowStock(page), page, (p) => ({ ...toStockResponse(p), name: p.name }));
  }

  /**
   * One restock pass: adds reorder_quantity to every low product (quantity <= reorder_threshold and
   * reorder_quantity > 0). Each product is one conditional UPDATE in its own transaction; the condition
   * also skips products restocked since this pass began, so passes that run at the same moment (a manual
   * POST /inventory/restock during a scheduled pass, on any instance) restock a low product once between
   * them. "Since" is judged by the database's clock, which every instance shares.
   */
  async restockLowStock(): Promise<RestockedItemDto[]> {
    const passStartedAt = await databaseNow(this.movementsRepository.manager);
    const restocked: RestockedItemDto[] = [];
    for (const productId of await this.productsService.findRestockCandidates()) {
      const item = await this.tx.run(async (tx) => {
        const added = await this.productsService.restockIfLow(tx.manager, productId, passStartedAt);
        if (!added) return null;
        const quantity = await this.record(tx, { productId, type: 'restock', delta: added, referenceType: 'restock', reason: 'Automatic restock' });
        return { product_id: productId, added, quantity };
      });
      if (item) restocked.push(item);
    }
    if (restocked.length) this.logger.log(`Restocked ${restocked.map((r) => `#${r.product_id} +${r.added}`).join(', ')}`);
    return restocked;
  }

  private async adjustBy(tx: Tx, productId: number, delta: number, reason: string | null): Promise<void> {
    if (!(await this.productsService.adjustStock(tx.manager, productId, delta))) {
      const available = (await this.productsService.availableStock(tx.manager, [productId])).get(productId) ?? 0;
      throw problem(InventoryErrors.STOCK_BELOW_ZERO, `Stock of product ${productId} cannot go below 0`, [
        { product_id: productId, requested: delta, available },
      ]);
    }
    await this.record(tx, { productId, type: 'adjustment', delta, referenceType: 'adjustment', reason });
  }

  /**
   * The ledger row of a change just made, with the quantity after it (read from the product row this
   * transaction holds locked), and its events. Returns the quantity after.
   */
  private async record(tx: Tx, m: Movement): Promise<number> {
    const level = await this.productsService.stockLevel(tx.manager, m.productId);
    const movement = tx.manager.create(StockMovement, {
      productId: m.productId,
      type: m.type,
      delta: m.delta,
      quantityAfter: level.quantity,
      referenceType: m.referenceType,
      referenceId: m.referenceId ?? null,
      reason: m.reason ?? null,
      // stamped here rather than by the column default, so that the event carries it without a second read
      createdAt: new Date(),
    });
    // updateEntity(false): no read-back of generated columns; the id comes from the driver's answer
    const { raw } = await tx.manager.createQueryBuilder().insert().into(StockMovement).values(movement).updateEntity(false).execute();
    movement.id = insertedId(raw);
    const subject = { type: 'product' as const, id: m.productId };
    await tx.publish({ type: 'stock.changed', subject, data: { ...toMovementResponse(movement), product_id: m.productId, quantity: level.quantity } });
    const before = level.quantity - m.delta;
    if (before > level.reorderThreshold && level.quantity <= level.reorderThreshold) {
      await tx.publish({ type: 'stock.low', subject, data: { product_id: m.productId, quantity: level.quantity, reorder_threshold: level.reorderThreshold } });
    }
    return level.quantity;
  }
}

/** The id of the row an INSERT just wrote: mysql2 answers a result header, better-sqlite3 the row id. */
function insertedId(raw: unknown): number {
  return Number(typeof raw === 'object' && raw !== null ? (raw as { insertId: number }).insertId : raw);
}
