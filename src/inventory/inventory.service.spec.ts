import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../database/database.options';
import { TransactionRunner } from '../database/transaction-runner';
import { Product } from '../products/entities/product.entity';
import { ProductsService } from '../products/products.service';
import { StockMovement } from './entities/stock-movement.entity';
import { InventoryService } from './inventory.service';

/** The restock pass against a real in-memory SQLite database (the logic is SQL, so a mock would prove nothing). */
describe('InventoryService.restockLowStock', () => {
  let dataSource: DataSource;
  let sut: InventoryService;
  let products: ProductsService;

  beforeEach(async () => {
    dataSource = await new DataSource(
      buildDataSourceOptions({ type: 'sqlite', path: ':memory:', host: '', port: 0, username: '', password: '', database: '', poolSize: 1 }),
    ).initialize();
    const tx = new TransactionRunner(dataSource);
    sut = new InventoryService(dataSource.getRepository(StockMovement), new ProductsService(dataSource.getRepository(Product), tx), tx);
    sut.onModuleInit();
    products = new ProductsService(dataSource.getRepository(Product), tx);
  });
  afterEach(() => dataSource.destroy());

  const product = async (stockQuantity: number, reorderThreshold: number, reorderQuantity: number, deleted = false) => {
    const saved = await products.create({ name: 'p', price: 1, stock_quantity: stockQuantity, reorder_threshold: reorderThreshold, reorder_quantity: reorderQuantity });
    if (deleted) await dataSource.getRepository(Product).softDelete(saved.id);
    return saved.id;
  };
  const quantity = async (id: number) => (await dataSource.getRepository(Product).findOneOrFail({ where: { id }, withDeleted: true })).stockQuantity;

  it('adds reorder_quantity to every low product with a restock movement, and only to those', async () => {
    const low = await product(2, 5, 20);
    const atThreshold = await product(5, 5, 10);
    const above = await product(6, 5, 10);
    const noReorder = await product(0, 5, 0);
    const deleted = await product(0, 5, 10, true);

    const restocked = await sut.restockLowStock();

    expect(restocked).toEqual([
      { product_id: low, added: 20, quantity: 22 },
      { product_id: atThreshold, added: 10, quantity: 15 },
    ]);
    expect([await quantity(low), await quantity(atThreshold), await quantity(above), await quantity(noReorder), await quantity(deleted)]).toEqual([22, 15, 6, 0, 0]);
    const movements = await dataSource.getRepository(StockMovement).find({ where: { type: 'restock' }, order: { productId: 'ASC' } });
    expect(movements.map((m) => [m.productId, m.delta, m.quantityAfter])).toEqual([[low, 20, 22], [atThreshold, 10, 15]]);
    const lastRestocked = (await dataSource.getRepository(Product).findOneByOrFail({ id: low })).lastRestockedAt;
    expect(lastRestocked).toBeInstanceOf(Date);
  });

  it('restocks a product once per pass even when one restock leaves it still low', async () => {
    const id = await product(0, 10, 3);
    await Promise.all([sut.restockLowStock(), sut.restockLowStock()]);
    expect(await quantity(id)).toBe(3);
  });

  it('restocks again on a later pass while the product is still low', async () => {
    const id = await product(0, 10, 3);
    await sut.restockLowStock();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sut.restockLowStock();
    expect(await quantity(id)).toBe(6);
  });

  it('judges "restocked since this pass began" by the database clock, so an instance whose clock is behind cannot restock twice', async () => {
    const id = await product(0, 10, 3); // still low after one restock
    const tx = new TransactionRunner(dataSource);
    const instance = (productsService: ProductsService) => new InventoryService(dataSource.getRepository(StockMovement), productsService, tx);
    const hereProducts = new ProductsService(dataSource.getRepository(Product), tx);
    const here = instance(hereProducts);
    const behind = instance(new ProductsService(dataSource.getRepository(Product), tx));
    const findCandidates = hereProducts.findRestockCandidates.bind(hereProducts);
    // while this pass looks for low products, a pass on an instance whose clock runs an hour behind restocks it
    jest.spyOn(hereProducts, 'findRestockCandidates').mockImplementationOnce(async () => {
      jest.useFakeTimers({ now: Date.now() - 60 * 60 * 1000, doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
      try {
        expect(await behind.restockLowStock()).toEqual([{ product_id: id, added: 3, quantity: 3 }]);
      } finally {
        jest.useRealTimers();
      }
      return findCandidates();
    });

    expect(await here.restockLowStock()).toEqual([]);
    expect(await quantity(id)).toBe(3);
    // the stamp is the database's time (UTC), not the lagging application's
    const { lastRestockedAt } = await dataSource.getRepository(Product).findOneByOrFail({ id });
    expect(Math.abs(lastRestockedAt!.getTime() - Date.now())).toBeLessThan(60 * 1000);
  });

  it('does nothing when nothing is low', async () => {
    await product(50, 5, 10);
    expect(await sut.restockLowStock()).toEqual([]);
  });
});
