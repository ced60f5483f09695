import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page, PaginationQueryDto, toPage } from '../common/pagination';
import { badRequest, conflict, notFound } from '../common/problem';
import { TransactionRunner } from '../database/transaction-runner';
import { Product } from '../products/entities/product.entity';
import {
  LowStockItemDto,
  RestockedItemDto,
  StockMovementDto,
  StockResponseDto,
  toMovementResponse,
  toStockResponse,
  UpdateStockDto,
} from './dto/stock.dto';
import { MovementType, StockMovement } from './entities/stock-movement.entity';

export const InventoryErrors = {
  PRODUCT_NOT_FOUND: 'PRODUCT_NOT_FOUND',
  STOCK_BELOW_ZERO: 'STOCK_BELOW_ZERO',
  INVALID_STOCK_UPDATE: 'INVALID_STOCK_UPDATE',
} as const;

interface Movement {
  productId: number;
  type: MovementType;
  delta: number;
  orderId?: number | null;
  reason?: string | null;
}

/**
 * Owns every change of a product's stock. Each change is one conditional UPDATE that cannot take the
 * quantity below zero, followed in the same transaction by its ledger row, so the sum of a product's
 * movements always equals its quantity. Methods that take an EntityManager run inside the caller's
 * transaction.
 */
@Injectable()
export class InventoryService {
  private readonly logger = new Logger(InventoryService.name);

  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    @InjectRepository(StockMovement) private readonly movements: Repository<StockMovement>,
    private readonly tx: TransactionRunner,
  ) {}

  /** The opening ledger row of a new product. */
  recordInitial(manager: EntityManager, productId: number, quantity: number): Promise<void> {
    return this.record(manager, { productId, type: 'initial', delta: quantity, reason: 'Initial stock' });
  }

  /** Takes `quantity` units if there are that many; false (and nothing changed) otherwise. */
  async take(manager: EntityManager, productId: number, quantity: number, orderId: number): Promise<boolean> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({ stockQuantity: () => 'stock_quantity - :quantity' })
      .where('id = :productId AND stock_quantity >= :quantity AND deleted_at IS NULL')
      .setParameters({ productId, quantity })
      .execute();
    if (affected !== 1) return false;
    await this.record(manager, { productId, type: 'order', delta: -quantity, orderId });
    return true;
  }

  /** Returns units of a cancelled order (also to a product deleted since: the ledger stays whole). */
  async giveBack(manager: EntityManager, productId: number, quantity: number, orderId: number, reason: string | null): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(Product)
      .set({ stockQuantity: () => 'stock_quantity + :quantity' })
      .where('id = :productId')
      .setParameters({ productId, quantity })
      .execute();
    await this.record(manager, { productId, type: 'cancel', delta: quantity, orderId, reason });
  }

  async getStock(productId: number): Promise<StockResponseDto> {
    return toStockResponse(await this.getActiveProduct(this.products.manager, productId));
  }

  /** Current quantities, without locking, for error messages. */
  async available(manager: EntityManager, productIds: number[]): Promise<Map<number, number>> {
    const rows = await manager.find(Product, { where: productIds.map((id) => ({ id })), withDeleted: true });
    return new Map(rows.map((p) => [p.id, p.deletedAt ? 0 : p.stockQuantity]));
  }

  async update(productId: number, dto: UpdateStockDto): Promise<StockResponseDto> {
    if (dto.quantity !== undefined && dto.adjustment !== undefined) {
      throw badRequest(InventoryErrors.INVALID_STOCK_UPDATE, 'Send either quantity (set) or adjustment (delta), not both');
    }
    const fields = ['quantity', 'adjustment', 'reorder_threshold', 'reorder_quantity'] as const;
    if (!fields.some((field) => dto[field] !== undefined)) {
      throw badRequest(InventoryErrors.INVALID_STOCK_UPDATE, 'Send quantity, adjustment, reorder_threshold or reorder_quantity');
    }
    const product = await this.tx.run(async (manager) => {
      await this.getActiveProduct(manager, productId);
      if (dto.reorder_threshold !== undefined || dto.reorder_quantity !== undefined) {
        await manager.update(Product, { id: productId }, {
          ...(dto.reorder_threshold !== undefined && { reorderThreshold: dto.reorder_threshold }),
          ...(dto.reorder_quantity !== undefined && { reorderQuantity: dto.reorder_quantity }),
        });
      }
      const reason = dto.reason ?? null;
      if (dto.adjustment !== undefined) await this.adjustBy(manager, productId, dto.adjustment, reason);
      if (dto.quantity !== undefined) await this.setTo(manager, productId, dto.quantity, reason);
      return this.getActiveProduct(manager, productId);
    });
    return toStockResponse(product);
  }

  async listMovements(productId: number, page: PaginationQueryDto): Promise<Page<StockMovementDto>> {
    // the ledger of a deleted product stays readable for audits
    if (!(await this.products.exists({ where: { id: productId }, withDeleted: true }))) {
      throw notFound(InventoryErrors.PRODUCT_NOT_FOUND, `Product ${productId} not found`);
    }
    const result = await this.movements.findAndCount({
      where: { productId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return toPage(result, page, toMovementResponse);
  }

  async listLowStock(page: PaginationQueryDto): Promise<Page<LowStockItemDto>> {
    const result = await this.products
      .createQueryBuilder('p')
      .where('p.stock_quantity <= p.reorder_threshold')
      .orderBy('p.stock_quantity', 'ASC')
      .addOrderBy('p.id', 'ASC')
      .take(page.limit)
      .skip(page.offset)
      .getManyAndCount();
    return toPage(result, page, (p) => ({ ...toStockResponse(p), name: p.name }));
  }

  /**
   * One restock pass: adds reorder_quantity to every low product (quantity <= reorder_threshold and
   * reorder_quantity > 0). Each product is one conditional UPDATE in its own transaction; the condition
   * also skips products restocked since this pass began, so passes that several instances run at the
   * same moment restock a low product once between them.
   */
  async restockLowStock(): Promise<RestockedItemDto[]> {
    const passStartedAt = new Date();
    const candidates = await this.products
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where('p.stock_quantity <= p.reorder_threshold AND p.reorder_quantity > 0')
      .orderBy('p.id', 'ASC')
      .getRawMany<{ id: number }>();
    const restocked: RestockedItemDto[] = [];
    for (const { id } of candidates) {
      const item = await this.tx.run((manager) => this.restockOne(manager, Number(id), passStartedAt));
      if (item) restocked.push(item);
    }
    if (restocked.length) this.logger.log(`Restocked ${restocked.map((r) => `#${r.product_id} +${r.added}`).join(', ')}`);
    return restocked;
  }

  private async restockOne(manager: EntityManager, productId: number, passStartedAt: Date): Promise<RestockedItemDto | null> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({ stockQuantity: () => 'stock_quantity + reorder_quantity', lastRestockedAt: new Date() })
      .where('id = :productId AND deleted_at IS NULL AND stock_quantity <= reorder_threshold AND reorder_quantity > 0')
      .andWhere('(last_restocked_at IS NULL OR last_restocked_at < :passStartedAt)')
      .setParameters({ productId, passStartedAt })
      .execute();
    if (affected !== 1) return null;
    // the row is ours until commit, so reorder_quantity read now is the amount just added
    const product = await manager.findOneOrFail(Product, { where: { id: productId } });
    await this.record(manager, { productId, type: 'restock', delta: product.reorderQuantity, reason: 'Automatic restock' });
    return { product_id: productId, added: product.reorderQuantity, quantity: product.stockQuantity };
  }

  private async adjustBy(manager: EntityManager, productId: number, delta: number, reason: string | null): Promise<void> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({ stockQuantity: () => 'stock_quantity + :delta' })
      .where('id = :productId AND stock_quantity + :delta >= 0')
      .setParameters({ productId, delta })
      .execute();
    if (affected !== 1) {
      const available = (await this.available(manager, [productId])).get(productId) ?? 0;
      throw conflict(InventoryErrors.STOCK_BELOW_ZERO, `Stock of product ${productId} cannot go below 0`, [
        { product_id: productId, requested: delta, available },
      ]);
    }
    await this.record(manager, { productId, type: 'adjustment', delta, reason });
  }

  private async setTo(manager: EntityManager, productId: number, quantity: number, reason: string | null): Promise<void> {
    const current = await this.lockedQuantity(manager, productId);
    if (current === quantity) return;
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({ stockQuantity: quantity })
      .where('id = :productId AND stock_quantity = :current')
      .setParameters({ productId, current })
      .execute();
    if (affected !== 1) throw new Error(`stock of product ${productId} changed under a row lock`);
    await this.record(manager, { productId, type: 'adjustment', delta: quantity - current, reason });
  }

  /** MySQL: SELECT … FOR UPDATE. SQLite needs no lock: its transactions are serialized. */
  private async lockedQuantity(manager: EntityManager, productId: number): Promise<number> {
    const qb = manager.createQueryBuilder(Product, 'p').where('p.id = :productId', { productId });
    if (manager.connection.options.type === 'mysql') qb.setLock('pessimistic_write');
    return (await qb.getOneOrFail()).stockQuantity;
  }

  /** The ledger row, with quantity_after read from the product row this transaction just changed. */
  private async record(manager: EntityManager, m: Movement): Promise<void> {
    await manager.query(
      `INSERT INTO stock_movements (product_id, type, delta, quantity_after, order_id, reason)
       SELECT id, ?, ?, stock_quantity, ?, ? FROM products WHERE id = ?`,
      [m.type, m.delta, m.orderId ?? null, m.reason ?? null, m.productId],
    );
  }

  private async getActiveProduct(manager: EntityManager, productId: number): Promise<Product> {
    const product = await manager.findOne(Product, { where: { id: productId } });
    if (!product) throw notFound(InventoryErrors.PRODUCT_NOT_FOUND, `Product ${productId} not found`);
    return product;
  }
}
