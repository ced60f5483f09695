import { DataSource } from 'typeorm';
import { MAX_STOCK } from '../src/common/limits';
import { ReplenishmentService } from '../src/replenishment/replenishment.service';
import { createProduct } from './support/factories';
import { unbalancedProducts } from './support/ledger';
import { onMysql, startApp, TestApp } from './support/app';

const restockCount = async (t: TestApp, productId: number) =>
  (await t.http.get(`/products/${productId}/stock/movements`).query({ limit: 100 }).expect(200)).body.items.filter((m: { type: string }) => m.type === 'restock').length;

describe('Restocking (e2e)', () => {
  describe('POST /inventory/restock', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startApp()));
    afterAll(() => t.close());

    it('restocks each low product by its reorder_quantity and reports what it did', async () => {
      const low = await createProduct(t.http, { stock_quantity: 1, reorder_threshold: 5, reorder_quantity: 20 });
      const fine = await createProduct(t.http, { stock_quantity: 50, reorder_threshold: 5, reorder_quantity: 20 });
      const manual = await createProduct(t.http, { stock_quantity: 0, reorder_threshold: 5, reorder_quantity: 0 });

      const res = await t.http.post('/inventory/restock').expect(200);
      expect(res.body.restocked).toEqual(expect.arrayContaining([{ product_id: low.id, added: 20, quantity: 21 }]));
      expect(res.body.restocked.map((r: { product_id: number }) => r.product_id)).not.toEqual(expect.arrayContaining([fine.id]));
      expect(res.body.restocked.map((r: { product_id: number }) => r.product_id)).not.toEqual(expect.arrayContaining([manual.id]));

      const stock = (await t.http.get(`/products/${low.id}/stock`)).body;
      expect(stock).toMatchObject({ quantity: 21, low_stock: false, last_restocked_at: expect.any(String) });
      expect((await t.http.get(`/products/${low.id}/stock/movements`)).body.items[0]).toMatchObject({ type: 'restock', delta: 20, quantity_after: 21 });
      expect((await t.http.get(`/products/${manual.id}/stock`)).body.quantity).toBe(0);

      // no longer low: a second pass leaves it alone
      expect((await t.http.post('/inventory/restock').expect(200)).body.restocked.map((r: { product_id: number }) => r.product_id)).not.toContain(low.id);
      expect(await restockCount(t, low.id)).toBe(1);
      expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]);
    });

    it('adds a reorder_quantity only where all of it fits under MAX_STOCK; the others wait, still low', async () => {
      const fits = await createProduct(t.http, { stock_quantity: MAX_STOCK - 10, reorder_threshold: MAX_STOCK, reorder_quantity: 10 });
      const full = await createProduct(t.http, { stock_quantity: MAX_STOCK - 5, reorder_threshold: MAX_STOCK, reorder_quantity: 10 });

      const restocked = (await t.http.post('/inventory/restock').expect(200)).body.restocked;
      expect(restocked).toEqual(expect.arrayContaining([{ product_id: fits.id, added: 10, quantity: MAX_STOCK }]));
      expect(restocked.map((r: { product_id: number }) => r.product_id)).not.toContain(full.id);
      expect((await t.http.get(`/products/${full.id}/stock`)).body).toMatchObject({ quantity: MAX_STOCK - 5, low_stock: true });

      // at MAX_STOCK and still at its threshold: the next pass has no room either
      expect((await t.http.post('/inventory/restock').expect(200)).body.restocked.map((r: { product_id: number }) => r.product_id)).not.toContain(fits.id);
      expect((await t.http.get(`/products/${fits.id}/stock`)).body.quantity).toBe(MAX_STOCK);
      expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]);
    });
  });

  describe('the scheduled job', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startApp({ env: { RESTOCK_ENABLED: 'true', RESTOCK_CRON: '* * * * * *' } })));
    afterAll(() => t.close());

    it('restocks a low product by itself within a few seconds, once', async () => {
      const product = await createProduct(t.http, { stock_quantity: 2, reorder_threshold: 3, reorder_quantity: 10 });
      const deadline = Date.now() + 5000;
      while ((await t.http.get(`/products/${product.id}/stock`)).body.quantity === 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await t.http.get(`/products/${product.id}/stock`)).body.quantity).toBe(12);
      await new Promise((resolve) => setTimeout(resolve, 1200)); // another tick passes
      expect(await restockCount(t, product.id)).toBe(1);
    });
  });

  // Two servers on one database only share state on MariaDB (each SQLite test app has its own memory database).
  (onMysql ? describe : describe.skip)('two instances sharing one MariaDB database', () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      a = await startApp();
      b = await startApp({ database: a.database, reuse: true });
    });
    afterAll(async () => {
      await b.close();
      await a.close();
    });

    it('restock each low product exactly once when both run the pass at the same moment', async () => {
      const products = await Promise.all(
        Array.from({ length: 20 }, (_, i) => createProduct(a.http, { stock_quantity: 0, reorder_threshold: 10, reorder_quantity: i % 2 ? 25 : 4 })),
      );
      const [fromA, fromB] = await Promise.all([a.app.get(ReplenishmentService).replenish(), b.app.get(ReplenishmentService).replenish()]);
      expect(fromA.restocked.length + fromB.restocked.length).toBe(20);
      for (const product of products) {
        expect(await restockCount(a, product.id)).toBe(1);
        expect((await b.http.get(`/products/${product.id}/stock`)).body.quantity).toBe(product.reorder_quantity);
      }
      expect(await unbalancedProducts(a.app.get(DataSource))).toEqual([]);
    });
  });
});
