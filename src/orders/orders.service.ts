import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import type { OwnerScope } from '../auth/access';
import { MAX_LINE_QUANTITY } from '../common/limits';
import { appConfig, type AppConfig } from '../config/configuration';
import { newestFirst, Page, PaginationQueryDto, readPage, toPage } from '../common/pagination';
import { problem, ProblemException } from '../common/problem';
import { assertOwn, customerNotFound, CustomersService } from '../customers/customers.service';
import { insertRows } from '../database/insert-rows';
import { RowReader } from '../database/row-reader';
import { TransactionRunner, Tx } from '../database/transaction-runner';
import { IdempotencyClaim, IdempotencyService } from '../idempotency/idempotency.service';
import { InventoryService } from '../inventory/inventory.service';
import { ProductErrors } from '../products/products.errors';
import { ProductsService } from '../products/products.service';
import { CreateOrderDto } from './dto/create-order.dto';
import { ListOrdersQueryDto } from './dto/list-orders-query.dto';
import { OrderEnvelopeDto, OrderResponseDto, toOrderResponse, toTrackingResponse, TrackingResponseDto } from './dto/order-response.dto';
import { UpdateOrderStatusDto } from './dto/update-order-status.dto';
import { Order } from './entities/order.entity';
import { OrderItem } from './entities/order-item.entity';
import { OrderStatusChange } from './entities/order-status-change.entity';
import { CANCELLABLE, OrderStatus, statusesBefore } from './order-status';
import { OrderErrors } from './orders.errors';
import { OrdersMetrics } from './orders.metrics';

interface Line {
  productId: number;
  quantity: number;
}

/** Thrown inside the placing transaction to roll it back; answered after, with fresh stock figures. */
class StockShortfall extends Error {
  constructor(readonly lines: Line[]) {
    super('insufficient stock');
  }
}

/** `GET /orders` and a customer's history: one order, so a cursor of one serves the other. */
const ORDERS_NEWEST_FIRST = newestFirst<Order>('orders');

/** Owns `orders`, `order_items` and `order_status_history`. */
@Injectable()
export class OrdersService {
  private readonly orderRows: RowReader<Order>;
  private readonly itemRows: RowReader<OrderItem>;
  private readonly statusChangeRows: RowReader<OrderStatusChange>;

  constructor(
    @InjectRepository(Order) private readonly ordersRepository: Repository<Order>,
    private readonly customersService: CustomersService,
    private readonly productsService: ProductsService,
    private readonly inventoryService: InventoryService,
    private readonly idempotencyService: IdempotencyService,
    private readonly tx: TransactionRunner,
    private readonly ordersMetrics: OrdersMetrics,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {
    const { connection } = ordersRepository.manager;
    this.orderRows = new RowReader(connection, Order);
    this.itemRows = new RowReader(connection, OrderItem);
    this.statusChangeRows = new RowReader(connection, OrderStatusChange);
  }

  /**
   * Places an order all-or-nothing in one transaction: the products are read under their row locks in ascending
   * id order (two orders over the same products lock them in the same order, so they cannot deadlock), then
   * stock is taken line by line with a conditional UPDATE that cannot oversell; the order stores copies of names
   * and prices. With an Idempotency-Key claim, the answer is stored for the key's retries in that same
   * transaction: an order that committed is always replayed, never placed twice.
   */
  async place(dto: CreateOrderDto, owner: OwnerScope, idempotency?: IdempotencyClaim): Promise<OrderEnvelopeDto> {
    assertOwn(dto.customer_id, owner);
    const lines = mergeLines(dto.items);
    let answer: OrderEnvelopeDto;
    try {
      answer = await this.tx.run(async (tx) => {
        const { manager } = tx;
        await this.customersService.countOrder(manager, dto.customer_id);
        const products = await this.lockedProducts(manager, lines);
        // locked: the quantities read are the ones the UPDATEs would meet
        const short = lines.filter((line) => products.get(line.productId)!.stockQuantity < line.quantity);
        if (short.length) throw new StockShortfall(short);
        const items = lines.map(({ productId, quantity }) => {
          const product = products.get(productId)!;
          return {
            productId,
            quantity,
            productName: product.name,
            unitPriceCents: product.priceCents,
            lineTotalCents: product.priceCents * quantity,
          };
        });
        // stamped here rather than by the column defaults, so that the answer needs no read-back of the row
        const placedAt = new Date();
        // plain constructors rather than manager.create, which copies the same fields one by one through the metadata
        const order = Object.assign(new Order(), {
          customerId: dto.customer_id,
          status: 'pending',
          totalCents: items.reduce((sum, item) => sum + item.lineTotalCents, 0),
          carrier: null,
          trackingNumber: null,
          createdAt: placedAt,
          updatedAt: placedAt,
        });
        order.id = await insertRows(manager, Order, [order]);
        for (const line of lines) {
          const product = products.get(line.productId)!;
          const locked = { quantity: product.stockQuantity, reorderThreshold: product.reorderThreshold };
          if (!(await this.inventoryService.take(tx, line.productId, line.quantity, order.id, locked))) short.push(line);
        }
        if (short.length) throw new StockShortfall(short);
        order.items = items.map((item) => Object.assign(new OrderItem(), item, { orderId: order.id }));
        await insertRows(manager, OrderItem, order.items);
        await this.recordStatus(tx, order.id, 'pending', 'Order placed');
        // everything the answer needs is in hand: no second read
        const response = toOrderResponse(order);
        await tx.publish({ type: 'order.created', subject: { type: 'order', id: order.id }, data: response });
        tx.afterCommit(() => this.ordersMetrics.placed());
        const placed = { message: 'Order placed', order: response };
        if (idempotency) await this.idempotencyService.recordAnswer(manager, idempotency, 201, placed);
        return placed;
      });
    } catch (error) {
      if (error instanceof StockShortfall) {
        // the transaction has rolled back and is not retried: this request's final outcome, counted once
        this.ordersMetrics.refused('insufficient_stock');
        throw await this.insufficientStock(error.lines);
      }
      throw error;
    }
    // Test-only fault hook (FAULT_EXIT_AFTER_ORDER_COMMIT, refused in production): the process dies
    // the instant the order has committed, before anything answers (test/fault/idempotency-crash.fault-spec.ts).
    if (this.config.faultExitAfterOrderCommit) process.kill(process.pid, 'SIGKILL');
    return answer;
  }

  async findOne(id: number, owner: OwnerScope): Promise<OrderResponseDto> {
    return toOrderResponse(await this.get(this.ordersRepository.manager, id, owner));
  }

  /**
   * Newest first: created_at, then id (ids alone are not ordered in time across Galera nodes), from the index
   * that leads with the filters given: (created_at, id), (status, …), (customer_id, …) or (customer_id, status, …).
   * The page of orders is read on its own, so that it is an index range read, and its lines in one more query.
   * A customer's orders without a status filter are not counted: their total is the count placement keeps.
   */
  async list(query: ListOrdersQueryDto): Promise<Page<OrderResponseDto>> {
    const ordersCount =
      query.customer_id !== undefined && query.status === undefined
        ? // an unknown customer has no orders: an empty list, as the filter alone would answer
          ((await this.customersService.ordersCount(this.ordersRepository.manager, query.customer_id)) ?? 0)
        : undefined;
    return this.readList(query, ordersCount);
  }

  /** A page of orders; `total` when it is known without counting them. */
  private async readList(query: ListOrdersQueryDto, total: number | undefined): Promise<Page<OrderResponseDto>> {
    const qb = this.ordersRepository.createQueryBuilder('o');
    if (query.status !== undefined) qb.andWhere('o.status = :status', { status: query.status });
    if (query.customer_id !== undefined) qb.andWhere('o.customerId = :customerId', { customerId: query.customer_id });
    const page = await readPage(qb, query, ORDERS_NEWEST_FIRST, ordersIndex(query), { total });
    await this.attachItems(page.rows);
    return toPage(page, query, toOrderResponse);
  }

  /** The lines of a page of orders, in one hand-written query, grouped by order in one pass. */
  private async attachItems(orders: Order[]): Promise<void> {
    const byOrder = new Map(orders.map((order) => [order.id, (order.items = [] as OrderItem[])]));
    if (!orders.length) return;
    const rows = (await this.ordersRepository.manager.query(
      `SELECT ${this.itemRows.selectList()} FROM order_items WHERE order_id IN (${orders.map(() => '?').join(', ')})`,
      [...byOrder.keys()],
    )) as Record<string, unknown>[];
    for (const row of rows) {
      const item = this.itemRows.read(row);
      byOrder.get(item.orderId)!.push(item);
    }
  }

  /**
   * A customer's orders, newest first. The orders of a deleted customer stay readable. One read of the customer
   * says both that it exists and, without a status filter, the total (the count placement keeps).
   */
  async history(customerId: number, page: PaginationQueryDto, owner: OwnerScope): Promise<Page<OrderResponseDto>> {
    assertOwn(customerId, owner);
    const ordersCount = await this.customersService.ordersCount(this.ordersRepository.manager, customerId);
    if (ordersCount === null) throw customerNotFound(customerId);
    return this.readList({ ...page, customer_id: customerId }, ordersCount);
  }

  /** The order and its status changes, oldest first, each naming who made it (actor), in one query. */
  async track(id: number, owner: OwnerScope): Promise<TrackingResponseDto> {
    const rows = (await this.ordersRepository.manager.query(
      `SELECT ${this.orderRows.selectList('o', 'o_')}, ${this.statusChangeRows.selectList('h', 'h_')}
       FROM orders o LEFT JOIN order_status_history h ON h.order_id = o.id
       WHERE o.id = ?${owner !== undefined ? ' AND o.customer_id = ?' : ''} ORDER BY h.id`,
      owner !== undefined ? [id, owner] : [id],
    )) as Record<string, unknown>[];
    if (!rows.length) throw orderNotFound(id);
    const history = rows.filter((row) => row.h_id !== null).map((row) => this.statusChangeRows.read(row, 'h_'));
    return toTrackingResponse(this.orderRows.read(rows[0], 'o_'), history);
  }

  async changeStatus(id: number, dto: UpdateOrderStatusDto): Promise<OrderResponseDto> {
    if (dto.status === 'cancelled') return this.cancel(id, dto.note, undefined);
    return this.tx.run(async (tx) => {
      // conditional on the one status the move is legal from: of two racing moves exactly one applies
      const legalFrom = statusesBefore(dto.status);
      const { affected } = await tx.manager
        .createQueryBuilder()
        .update(Order)
        .set({
          status: dto.status,
          ...(dto.carrier !== undefined && { carrier: dto.carrier }),
          ...(dto.tracking_number !== undefined && { trackingNumber: dto.tracking_number }),
        })
        .where({ id, status: In(legalFrom) })
        .execute();
      if (affected !== 1) throw await this.illegalMove(tx.manager, id, dto.status, undefined);
      await this.recordStatus(tx, id, dto.status, dto.note ?? null);
      const order = await this.get(tx.manager, id, undefined);
      const response = toOrderResponse(order);
      await tx.publish({
        type: 'order.status_changed',
        subject: { type: 'order', id },
        // one step at a time: a move other than a cancel has exactly one status it is legal from
        data: { ...response, from: legalFrom[0], to: dto.status, carrier: order.carrier, tracking_number: order.trackingNumber },
      });
      return response;
    });
  }

  /**
   * Cancels a pending or processing order and returns its stock, once: the status UPDATE is conditional,
   * so of many parallel cancels exactly one changes the row and returns the items.
   */
  async cancel(id: number, reason: string | undefined, owner: OwnerScope): Promise<OrderResponseDto> {
    return this.tx.run(async (tx) => {
      const { affected } = await tx.manager
        .createQueryBuilder()
        .update(Order)
        .set({ status: 'cancelled' })
        .where({ id, status: In([...CANCELLABLE]), ...ownedBy(owner) })
        .execute();
      if (affected !== 1) throw await this.illegalMove(tx.manager, id, 'cancelled', owner);
      const order = await this.get(tx.manager, id, owner);
      for (const item of [...order.items].sort((a, b) => a.productId - b.productId)) {
        await this.inventoryService.giveBack(tx, item.productId, item.quantity, id, reason ?? null);
      }
      await this.recordStatus(tx, id, 'cancelled', reason ?? null);
      const response = toOrderResponse(order);
      await tx.publish({ type: 'order.cancelled', subject: { type: 'order', id }, data: { ...response, reason: reason ?? null } });
      return response;
    });
  }

  /** The tracking history's entry for a status the order entered, naming who moved it (the unit of work's actor). */
  private async recordStatus(tx: Tx, orderId: number, status: OrderStatus, note: string | null): Promise<void> {
    // hand-written, and no read-back of the generated columns (id, created_at), which nothing here needs
    await insertRows(tx.manager, OrderStatusChange, [{ orderId, status, note, actor: tx.actor }]);
  }

  private async lockedProducts(manager: EntityManager, lines: Line[]) {
    const products = await this.productsService.lockActive(
      manager,
      lines.map((l) => l.productId),
    );
    const missing = lines.filter((l) => !products.has(l.productId));
    if (missing.length) {
      throw problem(
        ProductErrors.PRODUCT_NOT_FOUND,
        `Product ${missing.map((l) => l.productId).join(', ')} not found`,
        missing.map((l) => ({ product_id: l.productId })),
      );
    }
    return products;
  }

  private async insufficientStock(lines: Line[]): Promise<ProblemException> {
    const available = await this.productsService.availableStock(
      this.ordersRepository.manager,
      lines.map((l) => l.productId),
    );
    const errors = lines.map((l) => ({ product_id: l.productId, requested: l.quantity, available: available.get(l.productId) ?? 0 }));
    return problem(OrderErrors.INSUFFICIENT_STOCK, `Not enough stock for product ${lines.map((l) => l.productId).join(', ')}`, errors);
  }

  private async illegalMove(manager: EntityManager, id: number, to: OrderStatus, owner: OwnerScope): Promise<ProblemException> {
    const order = await manager.findOne(Order, { where: { id, ...ownedBy(owner) } });
    if (!order) return orderNotFound(id);
    const detail =
      to === 'cancelled'
        ? `Order ${id} is ${order.status} and can no longer be cancelled`
        : `Order ${id} cannot move from ${order.status} to ${to}`;
    return problem(OrderErrors.INVALID_STATUS_TRANSITION, detail, [{ field: 'status', current: order.status, requested: to }]);
  }

  /** The order with its lines, in one query (TypeORM's findOne with relations sent two and built both). */
  private async get(manager: EntityManager, id: number, owner: OwnerScope): Promise<Order> {
    const rows = (await manager.query(
      `SELECT ${this.orderRows.selectList('o', 'o_')}, ${this.itemRows.selectList('i', 'i_')}
       FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
       WHERE o.id = ?${owner !== undefined ? ' AND o.customer_id = ?' : ''}`,
      owner !== undefined ? [id, owner] : [id],
    )) as Record<string, unknown>[];
    if (!rows.length) throw orderNotFound(id);
    const order = this.orderRows.read(rows[0], 'o_');
    order.items = rows.filter((row) => row.i_id !== null).map((row) => this.itemRows.read(row, 'i_'));
    return order;
  }
}

/** Lines for the same product are merged; sorted by product id, the order stock is locked in. */
export function mergeLines(items: { product_id: number; quantity: number }[]): Line[] {
  const merged = new Map<number, number>();
  for (const { product_id, quantity } of items) merged.set(product_id, (merged.get(product_id) ?? 0) + quantity);
  const lines = [...merged].map(([productId, quantity]) => ({ productId, quantity })).sort((a, b) => a.productId - b.productId);
  const tooLarge = lines.filter((l) => l.quantity > MAX_LINE_QUANTITY);
  if (tooLarge.length) {
    throw problem(
      OrderErrors.LINE_QUANTITY_TOO_LARGE,
      `At most ${MAX_LINE_QUANTITY} units of one product per order`,
      tooLarge.map((l) => ({ product_id: l.productId, requested: l.quantity, max: MAX_LINE_QUANTITY })),
    );
  }
  return lines;
}

/** The index that leads with the list's filters and continues with (created_at, id). */
function ordersIndex(query: ListOrdersQueryDto): string {
  if (query.customer_id !== undefined)
    return query.status !== undefined ? 'IDX_orders_customer_status_created' : 'IDX_orders_customer_created';
  return query.status !== undefined ? 'IDX_orders_status_created' : 'IDX_orders_created';
}

/** Confines a query to the owner's orders; someone else's order is then simply not found. */
const ownedBy = (owner: OwnerScope) => (owner !== undefined ? { customerId: owner } : {});

const orderNotFound = (id: number) => problem(OrderErrors.ORDER_NOT_FOUND, `Order ${id} not found`);
