import { DataSource } from 'typeorm';
import { createCustomer, createProduct, expectProblem, placeOrder } from './support/factories';
import { MAX_STOCK } from '../src/common/limits';
import { unbalancedProducts } from './support/ledger';
import { ENV_KEY_ACTOR, startApp, TestApp } from './support/app';

describe('Inventory (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());
  afterEach(async () => expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]));

  it('records the opening stock as an initial movement', async () => {
    const product = await createProduct(t.http, { stock_quantity: 12 });
    const ledger = (await t.http.get(`/products/${product.id}/stock/movements`).expect(200)).body;
    expect(ledger).toEqual({
      items: [
        {
          id: expect.any(Number),
          type: 'initial',
          delta: 12,
          quantity_after: 12,
          order_id: null,
          replenishment_id: null,
          reason: expect.any(String),
          actor: ENV_KEY_ACTOR,
          created_at: expect.any(String),
        },
      ],
      total: 1,
      total_exact: true,
      limit: 20,
      offset: 0,
      next_cursor: null,
    });
  });

  describe('PATCH /products/:id/stock', () => {
    it('adjusts by a delta and sets an absolute quantity, each an adjustment movement with its reason', async () => {
      const product = await createProduct(t.http, { stock_quantity: 10 });
      const added = await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: 5, reason: 'Delivery' }).expect(200);
      expect(added.body).toMatchObject({ product_id: product.id, quantity: 15 });
      const set = await t.http.patch(`/products/${product.id}/stock`).send({ quantity: 4, reason: 'Audit' }).expect(200);
      expect(set.body.quantity).toBe(4);
      const ledger = (await t.http.get(`/products/${product.id}/stock/movements`)).body.items;
      expect(ledger.slice(0, 2)).toEqual([
        expect.objectContaining({ type: 'adjustment', delta: -11, quantity_after: 4, reason: 'Audit' }),
        expect.objectContaining({ type: 'adjustment', delta: 5, quantity_after: 15, reason: 'Delivery' }),
      ]);
    });

    it('never goes below zero: 409 STOCK_BELOW_ZERO and nothing changes', async () => {
      const product = await createProduct(t.http, { stock_quantity: 3 });
      const problem = expectProblem(await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: -4 }), 409, 'STOCK_BELOW_ZERO');
      expect(problem.errors).toEqual([{ product_id: product.id, requested: -4, available: 3 }]);
      expect((await t.http.get(`/products/${product.id}/stock`)).body.quantity).toBe(3);
      await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: -3 }).expect(200);
    });

    it('never goes above MAX_STOCK: 409 STOCK_ABOVE_MAXIMUM and nothing changes', async () => {
      const product = await createProduct(t.http, { stock_quantity: MAX_STOCK - 5, reorder_threshold: 1 });
      const res = await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: 6, reorder_threshold: 7 });
      const problem = expectProblem(res, 409, 'STOCK_ABOVE_MAXIMUM');
      expect(problem.errors).toEqual([{ product_id: product.id, requested: 6, available: MAX_STOCK - 5, maximum: MAX_STOCK }]);
      expect((await t.http.get(`/products/${product.id}/stock`)).body).toMatchObject({ quantity: MAX_STOCK - 5, reorder_threshold: 1 });
      expect((await t.http.get(`/products/${product.id}/stock/movements`)).body.total).toBe(1);

      expect((await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: 5 }).expect(200)).body.quantity).toBe(MAX_STOCK);
      // the largest adjustment the body allows, on a full product: 409, not past the INT column (a 500 on MariaDB)
      expectProblem(await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: MAX_STOCK }), 409, 'STOCK_ABOVE_MAXIMUM');
      expectProblem(await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: -MAX_STOCK - 1 }), 400, 'VALIDATION_FAILED');
      expect((await t.http.get(`/products/${product.id}/stock`)).body.quantity).toBe(MAX_STOCK);
    });

    it('changes reorder settings without touching the ledger', async () => {
      const product = await createProduct(t.http, { stock_quantity: 3 });
      const res = await t.http.patch(`/products/${product.id}/stock`).send({ reorder_threshold: 5, reorder_quantity: 20 }).expect(200);
      expect(res.body).toMatchObject({ quantity: 3, reorder_threshold: 5, reorder_quantity: 20, low_stock: true });
      expect((await t.http.get(`/products/${product.id}/stock/movements`)).body.total).toBe(1);
    });

    it.each([
      [{ quantity: 5, adjustment: 1 }, 'INVALID_STOCK_UPDATE'],
      [{}, 'INVALID_STOCK_UPDATE'],
      [{ reason: 'only a reason' }, 'INVALID_STOCK_UPDATE'],
      [{ quantity: -1 }, 'VALIDATION_FAILED'],
      [{ quantity: 1.5 }, 'VALIDATION_FAILED'],
      [{ quantity: MAX_STOCK + 1 }, 'VALIDATION_FAILED'],
      [{ adjustment: MAX_STOCK + 1 }, 'VALIDATION_FAILED'],
      [{ adjustment: 0 }, 'VALIDATION_FAILED'],
      [{ adjustment: '5' }, 'VALIDATION_FAILED'],
      [{ stock_quantity: 5 }, 'VALIDATION_FAILED'],
    ])('refuses %p with 400 %s', async (body, code) => {
      const product = await createProduct(t.http, { stock_quantity: 3 });
      expectProblem(await t.http.patch(`/products/${product.id}/stock`).send(body), 400, code);
      expect((await t.http.get(`/products/${product.id}/stock`)).body.quantity).toBe(3);
    });

    it('answers 404 for unknown and deleted products', async () => {
      expectProblem(await t.http.patch('/products/999999/stock').send({ adjustment: 1 }), 404, 'PRODUCT_NOT_FOUND');
      const product = await createProduct(t.http);
      await t.http.delete(`/products/${product.id}`).expect(200);
      expectProblem(await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: 1 }), 404, 'PRODUCT_NOT_FOUND');
      expectProblem(await t.http.get(`/products/${product.id}/stock`), 404, 'PRODUCT_NOT_FOUND');
    });
  });

  it('lists movements newest first, paged; a deleted product keeps its ledger', async () => {
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [{ product_id: product.id, quantity: 2 }]);
    await t.http.post(`/orders/${order.id}/cancel`).expect(200);
    await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: -1 }).expect(200);
    await t.http.delete(`/products/${product.id}`).expect(200);
    const page = (await t.http.get(`/products/${product.id}/stock/movements`).query({ limit: 3 }).expect(200)).body;
    expect(page.total).toBe(4);
    expect(page.items.map((m: { type: string }) => m.type)).toEqual(['adjustment', 'cancel', 'order']);
    expect(
      (await t.http.get(`/products/${product.id}/stock/movements`).query({ offset: 3 })).body.items.map((m: { type: string }) => m.type),
    ).toEqual(['initial']);
    expectProblem(await t.http.get('/products/999999/stock/movements'), 404, 'PRODUCT_NOT_FOUND');
  });

  it('GET /inventory/low-stock lists products at or below their threshold, lowest first', async () => {
    const low = await createProduct(t.http, { stock_quantity: 2, reorder_threshold: 5 });
    const atThreshold = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 5 });
    const fine = await createProduct(t.http, { stock_quantity: 6, reorder_threshold: 5 });
    const ids = (await t.http.get('/inventory/low-stock').query({ limit: 100 }).expect(200)).body.items.map(
      (p: { product_id: number }) => p.product_id,
    );
    expect(ids).toEqual(expect.arrayContaining([low.id, atThreshold.id]));
    expect(ids).not.toContain(fine.id);
    expect(ids.indexOf(low.id)).toBeLessThan(ids.indexOf(atThreshold.id));
  });
});
