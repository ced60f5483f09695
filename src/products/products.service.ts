import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { CommonErrors } from '../common/common.errors';
import { likePattern } from '../common/dto-helpers';
import { MAX_STOCK } from '../common/limits';
import { toCents } from '../common/money';
import { byId, ListOrder, Page, PaginationQueryDto, readPage, RowsPage, toPage } from '../common/pagination';
import { problem } from '../common/problem';
import { directQuery } from '../database/direct-query';
import { RowReader } from '../database/row-reader';
import { DatabaseTime, executeCounting, sqlDialect } from '../database/sql-dialect';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQueryDto } from './dto/list-products.dto';
import { ProductResponseDto, toProductResponse } from './dto/product-response.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { Product } from './entities/product.entity';
import { ProductErrors } from './products.errors';

/** A product's stock columns as they are inside the current transaction. */
export interface StockLevel {
  quantity: number;
  reorderThreshold: number;
}

const PRODUCTS_BY_ID = byId<Product>('products');

/** The low-stock list: lowest quantity first, then by id. */
const LOW_STOCK_FIRST: ListOrder<Product> = {
  list: 'low-stock',
  direction: 'ASC',
  keys: [
    { property: 'lowStockQuantity', kind: 'integer' },
    { property: 'id', kind: 'id' },
  ],
};

/**
 * Owns the `products` table: the catalogue, and the stock columns' conditional UPDATEs. Only the inventory
 * module calls the stock methods, each time with the ledger row that goes with the change (see
 * InventoryService), so a product's quantity always equals the sum of its movements. The replenishment module
 * moves `incoming_quantity` (orderReplenishment, addIncoming, cancelIncoming) in the transactions that change
 * its orders, so incoming always equals the units still due on them.
 */
@Injectable()
export class ProductsService {
  private readonly productRows: RowReader<Product>;
  private readonly activeProductSql: string;
  /** lockActive's statement around its list of ids: `SELECT … WHERE id IN (` and `) AND … FOR UPDATE`. */
  private readonly lockActiveSql: { head: string; tail: string };

  constructor(
    @InjectRepository(Product) private readonly productsRepository: Repository<Product>,
    private readonly tx: TransactionRunner,
  ) {
    const { connection } = productsRepository.manager;
    this.productRows = new RowReader(connection, Product);
    this.activeProductSql = `SELECT ${this.productRows.selectList()} FROM products WHERE id = ? AND deleted_at IS NULL`;
    const lock = connection.options.type === 'mysql' ? ' FOR UPDATE' : '';
    this.lockActiveSql = {
      head: `SELECT ${this.productRows.selectList()} FROM products WHERE id IN (`,
      tail: `) AND deleted_at IS NULL ORDER BY id${lock}`,
    };
  }

  /** The opening stock's `initial` movement is written by the inventory module, on `product.created`. */
  async create(dto: CreateProductDto): Promise<ProductResponseDto> {
    return this.tx.run(async (tx) => {
      const saved = await tx.manager.save(
        tx.manager.create(Product, {
          name: dto.name,
          description: dto.description ?? null,
          priceCents: toCents(dto.price),
          stockQuantity: dto.stock_quantity ?? 0,
          reorderThreshold: dto.reorder_threshold ?? 0,
          reorderQuantity: dto.reorder_quantity ?? 0,
          ...replenishmentSettings(dto),
        }),
      );
      return this.publish(tx, 'product.created', await this.getActive(tx.manager, saved.id));
    });
  }

  /**
   * Oldest first, by id: from the index (deleted_at, id), or (deleted_at, in_stock, id) with `in_stock`. `search`
   * is a substring match no index serves: the page reads products in id order until it has its items, and the
   * count stops at TOTAL_CAP + 1 matches, so a rare text reads much of the table.
   */
  async list(query: ListProductsQueryDto): Promise<Page<ProductResponseDto>> {
    const qb = this.productsRepository.createQueryBuilder('p');
    if (query.search) {
      qb.andWhere("(p.name LIKE :text ESCAPE '!' OR p.description LIKE :text ESCAPE '!')", { text: likePattern(query.search) });
    }
    // the generated column, not stock_quantity: an equality on it keeps the page in its index's id order
    if (query.in_stock !== undefined) qb.andWhere('p.inStock = :inStock', { inStock: query.in_stock ? 1 : 0 });
    const index = query.in_stock !== undefined ? 'IDX_products_in_stock' : 'IDX_products_active';
    return toPage(await readPage(qb, query, PRODUCTS_BY_ID, index), query, toProductResponse);
  }

  async findOne(id: number): Promise<ProductResponseDto> {
    return toProductResponse(await this.getActive(this.productsRepository.manager, id));
  }

  async update(id: number, dto: UpdateProductDto): Promise<ProductResponseDto> {
    if (!Object.keys(dto).length) {
      throw problem(
        CommonErrors.EMPTY_UPDATE,
        'Send at least one of name, price, description, reorder_threshold, reorder_quantity, lead_time_days, reorder_policy, service_level, cover_days',
      );
    }
    return this.tx.run(async (tx) => {
      await this.getActive(tx.manager, id);
      // only the named columns: stock_quantity is never written here, so a concurrent order cannot be undone
      await tx.manager.update(
        Product,
        { id },
        {
          ...(dto.name !== undefined && { name: dto.name }),
          ...(dto.price !== undefined && { priceCents: toCents(dto.price) }),
          ...(dto.description !== undefined && { description: dto.description }),
          ...(dto.reorder_threshold !== undefined && { reorderThreshold: dto.reorder_threshold }),
          ...(dto.reorder_quantity !== undefined && { reorderQuantity: dto.reorder_quantity }),
          ...replenishmentSettings(dto),
        },
      );
      return this.publish(tx, 'product.updated', await this.getActive(tx.manager, id));
    });
  }

  /** Soft delete: reads answer 404, past orders keep the name and price they copied, the ledger stays. */
  async remove(id: number): Promise<void> {
    await this.tx.run(async (tx) => {
      const product = await this.getActive(tx.manager, id);
      await tx.manager.softDelete(Product, { id });
      await this.publish(tx, 'product.deleted', product);
    });
  }

  /** The product unless it does not exist or was deleted (404). One primary-key read, as every product page needs. */
  async getActive(manager: EntityManager, id: number): Promise<Product> {
    const [row] = (await manager.query(this.activeProductSql, [id])) as Record<string, unknown>[];
    if (!row) throw productNotFound(id);
    return this.productRows.read(row);
  }

  /**
   * The products with these ids that exist and are not deleted, their rows locked until the transaction ends
   * (MySQL: SELECT … FOR UPDATE, in ascending id order like every multi-row lock here; SQLite's transactions are
   * serialized anyway). Their stock cannot change under the caller, which therefore knows what a change leaves.
   */
  async lockActive(manager: EntityManager, ids: number[]): Promise<Map<number, Product>> {
    const ascending = [...ids].sort((a, b) => a - b);
    const { head, tail } = this.lockActiveSql;
    const rows = await directQuery<Record<string, unknown>[]>(manager, head + ascending.map(() => '?').join(', ') + tail, ascending);
    return new Map(rows.map((row) => this.productRows.read(row)).map((p) => [p.id, p]));
  }

  /** 404 unless the product ever existed: a deleted product's ledger stays readable. */
  async assertEverExisted(manager: EntityManager, id: number): Promise<void> {
    if (!(await manager.exists(Product, { where: { id }, withDeleted: true }))) throw productNotFound(id);
  }

  /** Current quantities, without locking, for error messages (0 for a deleted product). */
  async availableStock(manager: EntityManager, ids: number[]): Promise<Map<number, number>> {
    const rows = await manager.find(Product, { where: ids.map((id) => ({ id })), withDeleted: true });
    return new Map(rows.map((p) => [p.id, p.deletedAt ? 0 : p.stockQuantity]));
  }

  /**
   * Products at or below their reorder threshold, lowest quantity first: the generated low_stock_quantity holds
   * the quantity of exactly those, so its index (deleted_at, low_stock_quantity, id) is the list in its order.
   */
  findLowStock(page: PaginationQueryDto): Promise<RowsPage<Product>> {
    const qb = this.productsRepository.createQueryBuilder('p').where('p.lowStockQuantity IS NOT NULL');
    return readPage(qb, page, LOW_STOCK_FIRST, 'IDX_products_low_stock');
  }

  /** Active products whose reorder settings the demand policy recomputes, ascending. */
  findDemandPolicyProducts(): Promise<Product[]> {
    return this.productsRepository.find({ where: { reorderPolicy: 'demand' }, order: { id: 'ASC' } });
  }

  /**
   * Ids of products that need replenishing, ascending: projected stock (quantity + incoming) at or below the
   * reorder threshold, a reorder quantity to order, and room for all of it under MAX_STOCK once received.
   */
  async findReplenishmentCandidates(): Promise<number[]> {
    const rows = await this.productsRepository
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .where(`p.stock_quantity + p.incoming_quantity <= p.reorder_threshold AND p.reorder_quantity > 0 AND ${ROOM_FOR_REORDER}`, {
        max: MAX_STOCK,
      })
      .orderBy('p.id', 'ASC')
      .getRawMany<{ id: number | string }>();
    return rows.map((row) => Number(row.id));
  }

  async setReorderSettings(
    manager: EntityManager,
    id: number,
    settings: { reorderThreshold?: number; reorderQuantity?: number },
  ): Promise<void> {
    await manager.update(Product, { id }, settings);
  }

  /** The demand policy's new threshold and quantity, unless the product left that policy (or was deleted) meanwhile. */
  async setDemandReorderSettings(
    manager: EntityManager,
    id: number,
    settings: { reorderThreshold: number; reorderQuantity: number },
  ): Promise<boolean> {
    const { affected } = await manager.update(Product, { id, reorderPolicy: 'demand', deletedAt: IsNull() }, settings);
    return affected === 1;
  }

  /** The stock columns as this transaction sees them (after its own UPDATE: the row is locked). */
  async stockLevel(manager: EntityManager, id: number): Promise<StockLevel> {
    const product = await manager.findOneOrFail(Product, { where: { id }, withDeleted: true });
    return { quantity: product.stockQuantity, reorderThreshold: product.reorderThreshold };
  }

  /** Takes `quantity` units of an active product if there are that many; false (and nothing changed) otherwise. */
  async takeStock(manager: EntityManager, id: number, quantity: number): Promise<boolean> {
    return this.changeStock(manager, id, -quantity, 'stock_quantity >= ? AND deleted_at IS NULL', [quantity]);
  }

  /**
   * Puts back the units of a cancelled order, also into a product deleted since (the ledger stays whole), but
   * never past MAX_STOCK: the units came from below it, so only adjustments made since the order can leave too
   * little room, and then what fits goes back (the cancel itself is not refused). Returns the units put back.
   */
  async returnStock(manager: EntityManager, id: number, quantity: number): Promise<number> {
    if (await this.changeStock(manager, id, quantity, 'stock_quantity + ? <= ?', [quantity, MAX_STOCK])) return quantity;
    const room = Math.max(0, MAX_STOCK - (await this.lockedQuantity(manager, id)));
    if (room) await this.changeStock(manager, id, room);
    return room;
  }

  /** Adds `delta` (negative to remove) unless that takes stock below 0 or above MAX_STOCK. */
  async adjustStock(manager: EntityManager, id: number, delta: number): Promise<boolean> {
    return this.changeStock(manager, id, delta, 'stock_quantity + ? BETWEEN 0 AND ?', [delta, MAX_STOCK]);
  }

  /** Sets the quantity; returns the change made (0 when it already was that). */
  async setStock(manager: EntityManager, id: number, quantity: number): Promise<number> {
    const current = await this.lockedQuantity(manager, id);
    if (current === quantity) return 0;
    const changed = await this.changeStock(manager, id, quantity - current, 'stock_quantity = ?', [current]);
    if (!changed) throw new Error(`stock of product ${id} changed under a row lock`);
    return quantity - current;
  }

  /**
   * Puts reorder_quantity on order (incoming) if the product still needs replenishing and was not restocked
   * since `since` (the database's time when the pass began); returns what was ordered, or null. One conditional UPDATE: of passes that reach a product
   * at the same moment, the first one's order (or lead-time-0 receipt) makes the condition false for the others.
   * An order whose units would take the product past MAX_STOCK once received waits until sales make room.
   */
  async orderReplenishment(
    manager: EntityManager,
    id: number,
    since: DatabaseTime,
  ): Promise<{ quantity: number; leadTimeDays: number } | null> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({ incomingQuantity: () => 'incoming_quantity + reorder_quantity' })
      .where(`id = :id AND deleted_at IS NULL AND reorder_quantity > 0 AND ${ROOM_FOR_REORDER}`, { id, max: MAX_STOCK })
      .andWhere('stock_quantity + incoming_quantity <= reorder_threshold')
      .andWhere('(last_restocked_at IS NULL OR last_restocked_at < :since)', { since })
      .execute();
    if (affected !== 1) return null;
    // the row is ours until commit, so what is read now is what was just ordered
    const product = await manager.findOneOrFail(Product, { where: { id } });
    return { quantity: product.reorderQuantity, leadTimeDays: product.leadTimeDays };
  }

  /** Counts units of a new (manual) replenishment order as incoming; false when the product is unknown or deleted. */
  async addIncoming(manager: EntityManager, id: number, quantity: number): Promise<boolean> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({ incomingQuantity: () => 'incoming_quantity + :quantity' })
      .where('id = :id AND deleted_at IS NULL', { id, quantity })
      .execute();
    return affected === 1;
  }

  /**
   * Received units move from incoming to stock in one UPDATE (also into a product deleted since: the goods
   * arrived and the ledger stays whole). False when fewer units are incoming, which the replenishment rows forbid.
   */
  async receiveIncoming(manager: EntityManager, id: number, quantity: number): Promise<boolean> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({
        stockQuantity: () => 'stock_quantity + :quantity',
        incomingQuantity: () => 'incoming_quantity - :quantity',
        // the database's clock, as a pass's `since` is: instances' application clocks do not matter
        lastRestockedAt: () => sqlDialect(manager.connection).now,
      })
      .where('id = :id AND incoming_quantity >= :quantity AND stock_quantity + :quantity <= :max', { id, quantity, max: MAX_STOCK })
      .execute();
    return affected === 1;
  }

  /** Units of a cancelled replenishment order that will not come; false when fewer are incoming. */
  async cancelIncoming(manager: EntityManager, id: number, quantity: number): Promise<boolean> {
    const { affected } = await manager
      .createQueryBuilder()
      .update(Product)
      .set({ incomingQuantity: () => 'incoming_quantity - :quantity' })
      .where('id = :id AND incoming_quantity >= :quantity AND stock_quantity + :quantity <= :max', { id, quantity, max: MAX_STOCK })
      .execute();
    return affected === 1;
  }

  /**
   * The one shape of every stock UPDATE: relative, and only where `condition` holds (its `?` bound to
   * `parameters`). Hand-written, as it runs for every line of every order; updated_at as TypeORM sets it.
   */
  private async changeStock(
    manager: EntityManager,
    id: number,
    delta: number,
    condition?: string,
    parameters: unknown[] = [],
  ): Promise<boolean> {
    const affected = await executeCounting(
      manager,
      `UPDATE products SET stock_quantity = stock_quantity + ?, updated_at = CURRENT_TIMESTAMP WHERE id = ?${condition ? ` AND ${condition}` : ''}`,
      [delta, id, ...parameters],
    );
    return affected === 1;
  }

  /** MySQL: SELECT … FOR UPDATE. SQLite needs no lock: its transactions are serialized. Deleted products too. */
  private async lockedQuantity(manager: EntityManager, id: number): Promise<number> {
    const qb = manager.createQueryBuilder(Product, 'p').withDeleted().where('p.id = :id', { id });
    if (manager.connection.options.type === 'mysql') qb.setLock('pessimistic_write');
    return (await qb.getOneOrFail()).stockQuantity;
  }

  private async publish(
    tx: Tx,
    type: 'product.created' | 'product.updated' | 'product.deleted',
    product: Product,
  ): Promise<ProductResponseDto> {
    const response = toProductResponse(product);
    await tx.publish({ type, subject: { type: 'product', id: product.id }, data: response });
    return response;
  }
}

/** The replenishment settings a create or update names, as columns. */
function replenishmentSettings(dto: UpdateProductDto): Partial<Product> {
  return {
    ...(dto.lead_time_days !== undefined && { leadTimeDays: dto.lead_time_days }),
    ...(dto.reorder_policy !== undefined && { reorderPolicy: dto.reorder_policy }),
    ...(dto.service_level !== undefined && { serviceLevelBp: Math.round(dto.service_level * 10_000) }),
    ...(dto.cover_days !== undefined && { coverDays: dto.cover_days }),
  };
}

/** Replenishment orders reorder_quantity only where all of it fits under MAX_STOCK (`:max`) with what is already incoming. */
const ROOM_FOR_REORDER = 'stock_quantity + incoming_quantity + reorder_quantity <= :max';

const productNotFound = (id: number) => problem(ProductErrors.PRODUCT_NOT_FOUND, `Product ${id} not found`);
