import { DataSource } from 'typeorm';
import { createCustomer, createProduct, expectProblem, placeOrder } from './support/factories';
import { MAX_STOCK } from '../src/common/limits';
import { unbalancedProducts } from './support/ledger';
import { ENV_KEY_ACTOR, startApp, TestApp } from './support/app';

describe('Orders (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());
  afterEach(async () => expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]));

  const stockOf = async (productId: number) => (await t.http.get(`/products/${productId}/stock`).expect(200)).body.quantity as number;

  describe('POST /orders', () => {
    it('places an order: 201 {message, order}, prices copied, exact totals, stock taken with order movements', async () => {
      const customer = await createCustomer(t.http);
      const beans = await createProduct(t.http, { name: 'Beans', price: 19.99, stock_quantity: 10 });
      const filter = await createProduct(t.http, { name: 'Filter', price: 0.1, stock_quantity: 10 });
      const res = await t.http
        .post('/orders')
        .send({
          customer_id: customer.id,
          items: [
            { product_id: beans.id, quantity: 3 },
            { product_id: filter.id, quantity: 1 },
          ],
        })
        .expect(201);
      expect(res.body).toEqual({
        message: expect.any(String),
        order: {
          id: expect.any(Number),
          customer_id: customer.id,
          status: 'pending',
          items: [
            { product_id: beans.id, product_name: 'Beans', unit_price: 19.99, quantity: 3, line_total: 59.97 },
            { product_id: filter.id, product_name: 'Filter', unit_price: 0.1, quantity: 1, line_total: 0.1 },
          ],
          total_price: 60.07,
          created_at: expect.any(String),
          updated_at: expect.any(String),
        },
      });
      expect(await stockOf(beans.id)).toBe(7);
      const movements = (await t.http.get(`/products/${beans.id}/stock/movements`).expect(200)).body.items;
      expect(movements[0]).toMatchObject({ type: 'order', delta: -3, quantity_after: 7, order_id: res.body.order.id });
    });

    it('adds exactly: 0.10 + 0.20 = 0.30', async () => {
      const customer = await createCustomer(t.http);
      const a = await createProduct(t.http, { price: 0.1 });
      const b = await createProduct(t.http, { price: 0.2 });
      const order = await placeOrder(t.http, customer.id, [
        { product_id: a.id, quantity: 1 },
        { product_id: b.id, quantity: 1 },
      ]);
      expect(order.total_price).toBe(0.3);
    });

    it('merges lines for the same product', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { price: 2.5, stock_quantity: 10 });
      const order = await placeOrder(t.http, customer.id, [
        { product_id: product.id, quantity: 2 },
        { product_id: product.id, quantity: 3 },
      ]);
      expect(order.items).toEqual([expect.objectContaining({ product_id: product.id, quantity: 5, line_total: 12.5 })]);
      expect(await stockOf(product.id)).toBe(5);
    });

    it('keeps the copied name and price when the product later changes or is deleted', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { name: 'Original name', price: 10 });
      const order = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 2 }]);
      await t.http.put(`/products/${product.id}`).send({ name: 'Renamed', price: 99.99 }).expect(200);
      await t.http.delete(`/products/${product.id}`).expect(200);
      const read = (await t.http.get(`/orders/${order.id}`).expect(200)).body;
      expect(read.items[0]).toMatchObject({ product_name: 'Original name', unit_price: 10, line_total: 20 });
      expect(read.total_price).toBe(20);
    });

    it('is all-or-nothing: a shortfall on one line answers 409 INSUFFICIENT_STOCK naming it and takes nothing', async () => {
      const customer = await createCustomer(t.http);
      const plenty = await createProduct(t.http, { stock_quantity: 10 });
      const scarce = await createProduct(t.http, { stock_quantity: 1 });
      const res = await t.http.post('/orders').send({
        customer_id: customer.id,
        items: [
          { product_id: plenty.id, quantity: 2 },
          { product_id: scarce.id, quantity: 3 },
        ],
      });
      const problem = expectProblem(res, 409, 'INSUFFICIENT_STOCK');
      expect(problem.errors).toEqual([{ product_id: scarce.id, requested: 3, available: 1 }]);
      expect(await stockOf(plenty.id)).toBe(10);
      expect(await stockOf(scarce.id)).toBe(1);
      expect((await t.http.get('/orders').query({ customer_id: customer.id })).body.total).toBe(0);
    });

    it('answers 404 for an unknown or deleted customer or product', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http);
      expectProblem(
        await t.http.post('/orders').send({ customer_id: 999999, items: [{ product_id: product.id, quantity: 1 }] }),
        404,
        'CUSTOMER_NOT_FOUND',
      );
      const missing = expectProblem(
        await t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: 999999, quantity: 1 }] }),
        404,
        'PRODUCT_NOT_FOUND',
      );
      expect(missing.errors).toEqual([{ product_id: 999999 }]);
      const deleted = await createProduct(t.http);
      await t.http.delete(`/products/${deleted.id}`).expect(200);
      expectProblem(
        await t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: deleted.id, quantity: 1 }] }),
        404,
        'PRODUCT_NOT_FOUND',
      );
      await t.http.delete(`/customers/${customer.id}`).expect(200);
      expectProblem(
        await t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
        404,
        'CUSTOMER_NOT_FOUND',
      );
      expect(await stockOf(product.id)).toBe(product.stock_quantity);
    });

    it.each([
      ['no items', { items: [] }],
      ['a zero quantity', { items: [{ quantity: 0 }] }],
      ['a negative quantity', { items: [{ quantity: -2 }] }],
      ['a fractional quantity', { items: [{ quantity: 1.5 }] }],
      ['a string quantity', { items: [{ quantity: '2' }] }],
      ['a quantity over 10,000', { items: [{ quantity: 10_001 }] }],
      ['101 lines', { items: Array.from({ length: 101 }, () => ({ quantity: 1 })) }],
      ['items not an array', { items: { quantity: 1 } }],
      ['a status in the body', { status: 'delivered' }],
      ['a total_price in the body', { total_price: 0.01 }],
      ['a unit price in a line', { items: [{ quantity: 1, unit_price: 0.01 }] }],
    ])('refuses %s with 400 and changes nothing', async (_case, override) => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 20_000 });
      const items = ((override as { items?: unknown }).items ?? [{ quantity: 1 }]) as unknown;
      const withProduct = Array.isArray(items) ? items.map((line) => ({ product_id: product.id, ...line })) : items;
      const res = await t.http.post('/orders').send({ customer_id: customer.id, ...override, items: withProduct });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(await stockOf(product.id)).toBe(20_000);
    });

    it('refuses merged lines above the per-product cap with 400 LINE_QUANTITY_TOO_LARGE', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 50_000 });
      const items = [
        { product_id: product.id, quantity: 6000 },
        { product_id: product.id, quantity: 6000 },
      ];
      expectProblem(await t.http.post('/orders').send({ customer_id: customer.id, items }), 400, 'LINE_QUANTITY_TOO_LARGE');
      expect(await stockOf(product.id)).toBe(50_000);
    });
  });

  describe('reads', () => {
    it('GET /orders/:id answers the contract shape; 400 for bad ids, 404 for unknown', async () => {
      const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [
        { product_id: (await createProduct(t.http)).id, quantity: 1 },
      ]);
      const res = await t.http.get(`/orders/${order.id}`).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['created_at', 'customer_id', 'id', 'items', 'status', 'total_price', 'updated_at']);
      expectProblem(await t.http.get('/orders/abc'), 400, 'INVALID_ID');
      expectProblem(await t.http.get('/orders/999999'), 404, 'ORDER_NOT_FOUND');
    });

    it("GET /orders/:customer_id/history lists that customer's orders newest first, paged; 404 for unknown customers", async () => {
      const customer = await createCustomer(t.http);
      const other = await createCustomer(t.http);
      const product = await createProduct(t.http);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }])).id);
      await placeOrder(t.http, other.id, [{ product_id: product.id, quantity: 1 }]);

      const page1 = (await t.http.get(`/orders/${customer.id}/history`).query({ limit: 2 }).expect(200)).body;
      expect(page1).toMatchObject({ total: 3, limit: 2, offset: 0 });
      expect(page1.items.map((o: { id: number }) => o.id)).toEqual([ids[2], ids[1]]);
      const page2 = (await t.http.get(`/orders/${customer.id}/history`).query({ limit: 2, offset: 2 }).expect(200)).body;
      expect(page2.items.map((o: { id: number }) => o.id)).toEqual([ids[0]]);

      expectProblem(await t.http.get('/orders/999999/history'), 404, 'CUSTOMER_NOT_FOUND');
      expectProblem(await t.http.get('/orders/x/history'), 400, 'INVALID_ID');
    });

    it("keeps a deleted customer's orders readable", async () => {
      const customer = await createCustomer(t.http);
      const order = await placeOrder(t.http, customer.id, [{ product_id: (await createProduct(t.http)).id, quantity: 1 }]);
      await t.http.delete(`/customers/${customer.id}`).expect(200);
      await t.http.get(`/orders/${order.id}`).expect(200);
      expect((await t.http.get(`/orders/${customer.id}/history`).expect(200)).body.total).toBe(1);
    });

    it('GET /orders filters by status and customer_id', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http);
      const a = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
      const b = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
      await t.http.post(`/orders/${b.id}/cancel`).expect(200);
      const pending = (await t.http.get('/orders').query({ customer_id: customer.id, status: 'pending' }).expect(200)).body;
      expect(pending.items.map((o: { id: number }) => o.id)).toEqual([a.id]);
      const cancelled = (await t.http.get('/orders').query({ customer_id: customer.id, status: 'cancelled' }).expect(200)).body;
      expect(cancelled.items.map((o: { id: number }) => o.id)).toEqual([b.id]);
      expectProblem(await t.http.get('/orders').query({ status: 'lost' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('status and tracking', () => {
    it('moves pending → processing → shipped → delivered with carrier and notes, all in the tracking history', async () => {
      const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [
        { product_id: (await createProduct(t.http)).id, quantity: 1 },
      ]);
      await t.http.patch(`/orders/${order.id}/status`).send({ status: 'processing' }).expect(200);
      const shipped = await t.http
        .patch(`/orders/${order.id}/status`)
        .send({ status: 'shipped', carrier: 'DHL', tracking_number: 'JD0146', note: 'Left the warehouse' })
        .expect(200);
      expect(shipped.body.order.status).toBe('shipped');
      await t.http.patch(`/orders/${order.id}/status`).send({ status: 'delivered' }).expect(200);

      const track = (await t.http.get(`/orders/${order.id}/track`).expect(200)).body;
      expect(track).toEqual({
        order_id: order.id,
        status: 'delivered',
        carrier: 'DHL',
        tracking_number: 'JD0146',
        // every step by the suite's service key (test/audit.e2e-spec.ts covers customers and the system)
        history: [
          { status: 'pending', note: 'Order placed', at: expect.any(String), actor: ENV_KEY_ACTOR },
          { status: 'processing', note: null, at: expect.any(String), actor: ENV_KEY_ACTOR },
          { status: 'shipped', note: 'Left the warehouse', at: expect.any(String), actor: ENV_KEY_ACTOR },
          { status: 'delivered', note: null, at: expect.any(String), actor: ENV_KEY_ACTOR },
        ],
        next_statuses: [],
      });
    });

    it.each([
      [[], 'shipped'],
      [[], 'delivered'],
      [[], 'pending'],
      [['processing'], 'processing'],
      [['processing', 'shipped'], 'cancelled'],
      [['processing', 'shipped', 'delivered'], 'processing'],
    ])('after %p refuses a move to %s with 409 INVALID_STATUS_TRANSITION, changing nothing', async (path, to) => {
      const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [
        { product_id: (await createProduct(t.http)).id, quantity: 1 },
      ]);
      for (const status of path) await t.http.patch(`/orders/${order.id}/status`).send({ status }).expect(200);
      expectProblem(await t.http.patch(`/orders/${order.id}/status`).send({ status: to }), 409, 'INVALID_STATUS_TRANSITION');
      const track = (await t.http.get(`/orders/${order.id}/track`)).body;
      expect(track.status).toBe(path.at(-1) ?? 'pending');
      expect(track.history).toHaveLength(path.length + 1);
    });

    it('validates the status body and answers 404 for unknown orders', async () => {
      const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [
        { product_id: (await createProduct(t.http)).id, quantity: 1 },
      ]);
      expectProblem(await t.http.patch(`/orders/${order.id}/status`).send({ status: 'teleported' }), 400, 'VALIDATION_FAILED');
      expectProblem(await t.http.patch(`/orders/${order.id}/status`).send({}), 400, 'VALIDATION_FAILED');
      expectProblem(await t.http.patch('/orders/999999/status').send({ status: 'processing' }), 404, 'ORDER_NOT_FOUND');
      expectProblem(await t.http.get('/orders/999999/track'), 404, 'ORDER_NOT_FOUND');
    });
  });

  describe('POST /orders/:id/cancel', () => {
    it('cancels a pending order and returns its stock once, with cancel movements', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 5 });
      const order = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 2 }]);
      expect(await stockOf(product.id)).toBe(3);
      const res = await t.http.post(`/orders/${order.id}/cancel`).send({ reason: 'Changed my mind' }).expect(200);
      expect(res.body).toEqual({ message: expect.any(String), order: expect.objectContaining({ id: order.id, status: 'cancelled' }) });
      expect(await stockOf(product.id)).toBe(5);
      expect((await t.http.get(`/products/${product.id}/stock/movements`)).body.items[0]).toMatchObject({
        type: 'cancel',
        delta: 2,
        quantity_after: 5,
        order_id: order.id,
        reason: 'Changed my mind',
      });
      expectProblem(await t.http.post(`/orders/${order.id}/cancel`), 409, 'INVALID_STATUS_TRANSITION');
      expect(await stockOf(product.id)).toBe(5);
      expect((await t.http.get(`/orders/${order.id}/track`)).body.history.at(-1)).toMatchObject({
        status: 'cancelled',
        note: 'Changed my mind',
      });
    });

    it('cancels a processing order without a body; refuses shipped orders (409) and unknown ones (404)', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 5 });
      const processing = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
      await t.http.patch(`/orders/${processing.id}/status`).send({ status: 'processing' }).expect(200);
      await t.http.post(`/orders/${processing.id}/cancel`).expect(200);

      const shipped = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
      await t.http.patch(`/orders/${shipped.id}/status`).send({ status: 'processing' }).expect(200);
      await t.http.patch(`/orders/${shipped.id}/status`).send({ status: 'shipped' }).expect(200);
      expectProblem(await t.http.post(`/orders/${shipped.id}/cancel`), 409, 'INVALID_STATUS_TRANSITION');
      expect(await stockOf(product.id)).toBe(4);
      expectProblem(await t.http.post('/orders/999999/cancel'), 404, 'ORDER_NOT_FOUND');
      expectProblem(await t.http.post(`/orders/${shipped.id}/cancel`).send({ reason: 42 }), 400, 'VALIDATION_FAILED');
    });

    it('PATCH status cancelled is the same cancellation: stock returned', async () => {
      const product = await createProduct(t.http, { stock_quantity: 3 });
      const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [{ product_id: product.id, quantity: 3 }]);
      await t.http.patch(`/orders/${order.id}/status`).send({ status: 'cancelled', note: 'Fraud check failed' }).expect(200);
      expect(await stockOf(product.id)).toBe(3);
    });

    it('returns only what fits under MAX_STOCK when adjustments since the order filled the product up', async () => {
      const product = await createProduct(t.http, { stock_quantity: 10 });
      const customer = await createCustomer(t.http);
      const first = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 5 }]);
      const second = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 3 }]);
      await t.http
        .patch(`/products/${product.id}/stock`)
        .send({ adjustment: MAX_STOCK - 4 })
        .expect(200);
      expect(await stockOf(product.id)).toBe(MAX_STOCK - 2);

      await t.http.post(`/orders/${first.id}/cancel`).expect(200);
      expect(await stockOf(product.id)).toBe(MAX_STOCK);
      await t.http.post(`/orders/${second.id}/cancel`).expect(200);
      expect(await stockOf(product.id)).toBe(MAX_STOCK);
      const ledger = (await t.http.get(`/products/${product.id}/stock/movements`)).body.items;
      expect(ledger.slice(0, 2)).toEqual([
        expect.objectContaining({ type: 'cancel', delta: 0, quantity_after: MAX_STOCK, order_id: second.id }),
        expect.objectContaining({ type: 'cancel', delta: 2, quantity_after: MAX_STOCK, order_id: first.id }),
      ]);
    });

    it('returns stock to a product deleted after the order (ledger stays balanced)', async () => {
      const product = await createProduct(t.http, { stock_quantity: 3 });
      const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [{ product_id: product.id, quantity: 1 }]);
      await t.http.delete(`/products/${product.id}`).expect(200);
      await t.http.post(`/orders/${order.id}/cancel`).expect(200);
      expect((await t.http.get(`/products/${product.id}/stock/movements`)).body.items[0]).toMatchObject({
        type: 'cancel',
        quantity_after: 3,
      });
    });
  });
});
