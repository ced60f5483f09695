import { DataSource } from 'typeorm';
import { type Actor, systemActor } from '../common/actor';
import { runAs } from '../platform/request-context';
import { inMemoryDataSource } from '../database/in-memory-data-source';
import { isUniqueViolation } from '../database/driver-errors';
import { TransactionRunner } from '../database/transaction-runner';
import { StockMovement } from '../inventory/entities/stock-movement.entity';
import { InventoryService } from '../inventory/inventory.service';
import { Product } from '../products/entities/product.entity';
import { ProductsService } from '../products/products.service';
import { Replenishment } from './entities/replenishment.entity';
import { ReplenishmentMetrics } from './replenishment.metrics';
import { ReplenishmentService } from './replenishment.service';
import { MetricsRegistry } from '../platform/metrics/metrics-registry';

/** The replenishment pass against a real in-memory SQLite database (the logic is SQL, so a mock would prove nothing). */
describe('ReplenishmentService.replenish', () => {
  let dataSource: DataSource;
  let sut: ReplenishmentService;
  let products: ProductsService;
  let metrics: MetricsRegistry;

  beforeEach(async () => {
    dataSource = await inMemoryDataSource();
    const tx = new TransactionRunner(dataSource);
    products = new ProductsService(dataSource.getRepository(Product), tx);
    const inventory = new InventoryService(dataSource.getRepository(StockMovement), products, tx, { demandWindowDays: 28 });
    inventory.onModuleInit();
    metrics = new MetricsRegistry();
    sut = new ReplenishmentService(dataSource.getRepository(Replenishment), products, inventory, tx, new ReplenishmentMetrics(metrics));
  });
  afterEach(() => dataSource.destroy());

  const product = async (
    stockQuantity: number,
    reorderThreshold: number,
    reorderQuantity: number,
    options: { deleted?: boolean; leadTimeDays?: number } = {},
  ) => {
    const saved = await products.create({
      name: 'p',
      price: 1,
      stock_quantity: stockQuantity,
      reorder_threshold: reorderThreshold,
      reorder_quantity: reorderQuantity,
      lead_time_days: options.leadTimeDays ?? 0,
    });
    if (options.deleted) await dataSource.getRepository(Product).softDelete(saved.id);
    return saved.id;
  };
  const row = (id: number) => dataSource.getRepository(Product).findOneOrFail({ where: { id }, withDeleted: true });
  const quantity = async (id: number) => (await row(id)).stockQuantity;
  const orders = (productId: number) => dataSource.getRepository(Replenishment).find({ where: { productId }, order: { id: 'ASC' } });

  describe('lead time 0: as the restock pass before it', () => {
    it('adds reorder_quantity to every low product with a restock movement, and only to those', async () => {
      const low = await product(2, 5, 20);
      const atThreshold = await product(5, 5, 10);
      const above = await product(6, 5, 10);
      const noReorder = await product(0, 5, 0);
      const deleted = await product(0, 5, 10, { deleted: true });

      const { restocked, replenishments } = await sut.replenish();

      expect(restocked).toEqual([
        { product_id: low, added: 20, quantity: 22 },
        { product_id: atThreshold, added: 10, quantity: 15 },
      ]);
      expect(replenishments.map((r) => [r.product_id, r.quantity, r.received_quantity, r.status, r.origin])).toEqual([
        [low, 20, 20, 'received', 'automatic'],
        [atThreshold, 10, 10, 'received', 'automatic'],
      ]);
      expect([
        await quantity(low),
        await quantity(atThreshold),
        await quantity(above),
        await quantity(noReorder),
        await quantity(deleted),
      ]).toEqual([22, 15, 6, 0, 0]);
      const movements = await dataSource.getRepository(StockMovement).find({ where: { type: 'restock' }, order: { productId: 'ASC' } });
      expect(movements.map((m) => [m.productId, m.delta, m.quantityAfter, m.referenceType, m.referenceId])).toEqual([
        [low, 20, 22, 'replenishment', replenishments[0].id],
        [atThreshold, 10, 15, 'replenishment', replenishments[1].id],
      ]);
      expect((await row(low)).lastRestockedAt).toBeInstanceOf(Date);
      expect((await row(low)).incomingQuantity).toBe(0);
    });

    it('restocks a product once per pass even when one restock leaves it still low', async () => {
      const id = await product(0, 10, 3);
      await Promise.all([sut.replenish(), sut.replenish()]);
      expect(await quantity(id)).toBe(3);
    });

    it('restocks again on a later pass while the product is still low', async () => {
      const id = await product(0, 10, 3);
      await sut.replenish();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await sut.replenish();
      expect(await quantity(id)).toBe(6);
    });

    it('judges "restocked since this pass began" by the database clock, so an instance whose clock is behind cannot restock twice', async () => {
      const id = await product(0, 10, 3); // still low after one restock
      const findCandidates = products.findReplenishmentCandidates.bind(products);
      // while this pass looks for low products, a pass on an instance whose clock runs an hour behind restocks it
      jest.spyOn(products, 'findReplenishmentCandidates').mockImplementationOnce(async () => {
        jest.useFakeTimers({
          now: Date.now() - 60 * 60 * 1000,
          doNotFake: [
            'nextTick',
            'queueMicrotask',
            'setImmediate',
            'clearImmediate',
            'setInterval',
            'clearInterval',
            'setTimeout',
            'clearTimeout',
          ],
        });
        try {
          expect((await sut.replenish()).restocked).toEqual([{ product_id: id, added: 3, quantity: 3 }]);
        } finally {
          jest.useRealTimers();
        }
        return findCandidates();
      });
      expect((await sut.replenish()).restocked).toEqual([]);
      expect(await quantity(id)).toBe(3);
      // the stamp is the database's time (UTC), not the lagging application's
      expect(Math.abs((await row(id)).lastRestockedAt!.getTime() - Date.now())).toBeLessThan(60 * 1000);
    });

    it('does nothing when nothing is low', async () => {
      await product(50, 5, 10);
      expect(await sut.replenish()).toMatchObject({ restocked: [], replenishments: [] });
    });
  });

  describe('lead time > 0', () => {
    it('orders once, counts the units as incoming, and orders nothing more while the order is open', async () => {
      const id = await product(1, 5, 3, { leadTimeDays: 3 });
      const before = Date.now();
      const first = await sut.replenish();
      expect(first.restocked).toEqual([]);
      expect(first.replenishments).toHaveLength(1);
      const [order] = first.replenishments;
      expect(order).toMatchObject({ product_id: id, quantity: 3, received_quantity: 0, status: 'ordered', origin: 'automatic' });
      const expectedIn = Date.parse(order.expected_at!) - Date.parse(order.created_at);
      expect(expectedIn).toBe(3 * 24 * 60 * 60 * 1000);
      expect(Date.parse(order.created_at)).toBeGreaterThanOrEqual(before);
      // projected 1 + 3 = 4 is still <= 5, but one automatic order is open
      expect(await row(id)).toMatchObject({ stockQuantity: 1, incomingQuantity: 3 });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect((await sut.replenish()).replenishments).toEqual([]);
      expect(await orders(id)).toHaveLength(1);
    });

    it('receiving adds the stock; a product still low afterwards gets a new order on the next pass', async () => {
      const id = await product(1, 5, 3, { leadTimeDays: 2 });
      const [order] = (await sut.replenish()).replenishments;
      await sut.receive(order.id, 1);
      expect(await row(id)).toMatchObject({ stockQuantity: 2, incomingQuantity: 2 });
      expect((await sut.replenish()).replenishments).toEqual([]);
      expect(await sut.receive(order.id, undefined)).toMatchObject({ status: 'received', received_quantity: 3 });
      expect(await row(id)).toMatchObject({ stockQuantity: 4, incomingQuantity: 0 });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const next = (await sut.replenish()).replenishments;
      expect(next.map((r) => [r.product_id, r.quantity, r.status])).toEqual([[id, 3, 'ordered']]);
    });

    it('leaves a product alone whose open manual order already lifts its projected stock above the threshold', async () => {
      const id = await product(1, 5, 3, { leadTimeDays: 2 });
      await sut.create({ product_id: id, quantity: 10 });
      expect((await sut.replenish()).replenishments).toEqual([]);
    });
  });

  describe('metrics', () => {
    const counted = async () => {
      const text = await metrics.scrape();
      const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
      return {
        passes: value('restock_passes_total'),
        failures: value('restock_pass_failures_total'),
        created: value('replenishments_created_total{origin="automatic"}'),
        received: value('replenishment_receipts_total{origin="automatic"}'),
      };
    };

    it('counts a pass and the automatic orders it created and received', async () => {
      await product(2, 5, 20);
      await product(1, 5, 3, { leadTimeDays: 2 });
      await sut.replenish();
      expect(await counted()).toEqual({ passes: 1, failures: 0, created: 2, received: 1 });
    });

    it('counts a pass that fails, and nothing of the product whose transaction rolled back', async () => {
      await product(2, 5, 20);
      // the ledger's INSERT fails inside the product's transaction, after its order was inserted
      await dataSource.query('DROP TABLE stock_movements');
      await expect(sut.replenish()).rejects.toThrow();
      expect(await counted()).toEqual({ passes: 1, failures: 1, created: 0, received: 0 });
    });
  });

  it('has the database refuse a second open automatic order for one product', async () => {
    const id = await product(1, 5, 3, { leadTimeDays: 2 });
    await sut.replenish();
    const second = dataSource
      .getRepository(Replenishment)
      .insert({ productId: id, quantity: 1, status: 'ordered', origin: 'automatic', openAutomaticProductId: id });
    await expect(second.catch((error: unknown) => isUniqueViolation(error))).resolves.toBe(true);
  });

  describe('the audit trail', () => {
    const restockJob = systemActor('restock');
    const warehouseKey: Actor = { type: 'api_key', id: 3, name: 'warehouse' };
    const buyerKey: Actor = { type: 'api_key', id: 4, name: 'buyer' };
    const movements = (productId: number) =>
      dataSource.getRepository(StockMovement).find({ where: { productId, type: 'restock' }, order: { id: 'ASC' } });

    it('names the pass on what it orders and receives at once: the order and its restock movement', async () => {
      const id = await product(2, 5, 20);
      const [order] = (await runAs(restockJob, () => sut.replenish())).replenishments;
      expect(order).toMatchObject({ created_by: restockJob, received_by: restockJob, cancelled_by: null });
      expect(await orders(id)).toEqual([expect.objectContaining({ createdBy: restockJob, receivedBy: restockJob, cancelledBy: null })]);
      expect((await movements(id)).map((m) => m.actor)).toEqual([restockJob]);
    });

    it('names each step by whoever took it: ordered by the pass, received in parts by two keys, cancelled by one', async () => {
      const id = await product(1, 5, 6, { leadTimeDays: 2 });
      const [order] = (await runAs(restockJob, () => sut.replenish())).replenishments;
      expect(order).toMatchObject({ created_by: restockJob, received_by: null });
      await runAs(warehouseKey, () => sut.receive(order.id, 1));
      expect(await runAs(buyerKey, () => sut.receive(order.id, 2))).toMatchObject({ created_by: restockJob, received_by: buyerKey });
      expect(await runAs(warehouseKey, () => sut.cancel(order.id))).toMatchObject({
        created_by: restockJob,
        received_by: buyerKey,
        cancelled_by: warehouseKey,
      });
      // the last receipt is on the order; every receipt's is on its own movement
      expect((await movements(id)).map((m) => [m.delta, m.actor])).toEqual([
        [1, warehouseKey],
        [2, buyerKey],
      ]);
      expect(await orders(id)).toEqual([
        expect.objectContaining({ createdBy: restockJob, receivedBy: buyerKey, cancelledBy: warehouseKey, status: 'cancelled' }),
      ]);
    });
  });
});
