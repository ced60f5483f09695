import { DataSource } from 'typeorm';
import { createCustomer, createProduct, placeOrder } from './support/factories';
import { MAX_STOCK } from '../src/common/limits';
import { unbalancedProducts } from './support/ledger';
import { engine, startApp, TestApp } from './support/app';

/**
 * Parallel requests against one server. On MariaDB they run on a connection pool, so these prove the
 * conditional UPDATEs, lock ordering and deadlock retries; on SQLite they prove the serialized runner.
 */
describe(`Concurrency on ${engine} (e2e)`, () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ env: { DB_POOL_SIZE: '20' } })));
  afterAll(() => t.close());
  afterEach(async () => expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]));

  const stockOf = async (productId: number) => (await t.http.get(`/products/${productId}/stock`).expect(200)).body.quantity as number;
  const statuses = (responses: { status: number }[]) =>
    responses.reduce<Record<number, number>>((count, r) => ({ ...count, [r.status]: (count[r.status] ?? 0) + 1 }), {});

  it('200 parallel one-unit orders for stock 50: exactly 50 succeed, 150 get 409, stock ends at 0', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 50 });
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
      ),
    );
    expect(statuses(responses)).toEqual({ 201: 50, 409: 150 });
    for (const r of responses.filter((r) => r.status === 409)) expect(r.body.code).toBe('INSUFFICIENT_STOCK');
    expect(await stockOf(product.id)).toBe(0);
    expect((await t.http.get('/orders').query({ customer_id: customer.id, limit: 1 })).body.total).toBe(50);
  });

  it('60 parallel two-line orders with the lines in opposite orders all succeed, none 5xx', async () => {
    const customer = await createCustomer(t.http);
    const a = await createProduct(t.http, { stock_quantity: 1000 });
    const b = await createProduct(t.http, { stock_quantity: 1000 });
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const lines = [
          { product_id: a.id, quantity: 2 },
          { product_id: b.id, quantity: 3 },
        ];
        return t.http.post('/orders').send({ customer_id: customer.id, items: i % 2 ? lines : lines.reverse() });
      }),
    );
    expect(statuses(responses)).toEqual({ 201: 60 });
    expect(await stockOf(a.id)).toBe(1000 - 60 * 2);
    expect(await stockOf(b.id)).toBe(1000 - 60 * 3);
  });

  it('10 parallel cancels of one order: exactly one 200, nine 409, stock returned once', async () => {
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const order = await placeOrder(t.http, (await createCustomer(t.http)).id, [{ product_id: product.id, quantity: 4 }]);
    const responses = await Promise.all(Array.from({ length: 10 }, () => t.http.post(`/orders/${order.id}/cancel`)));
    expect(statuses(responses)).toEqual({ 200: 1, 409: 9 });
    expect(await stockOf(product.id)).toBe(10);
  });

  it('orders, cancels and stock adjustments racing on one product end at exactly the stock their successes imply', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 30 });
    const placed = await Promise.all(
      Array.from({ length: 20 }, () => placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }])),
    );
    const adjustments = Array.from({ length: 10 }, (_, i) => (i % 2 ? 2 : -3));
    const [orders, cancels, adjusted] = await Promise.all([
      Promise.all(
        Array.from({ length: 40 }, () =>
          t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
        ),
      ),
      Promise.all(placed.slice(0, 10).map((o) => t.http.post(`/orders/${o.id}/cancel`))),
      Promise.all(adjustments.map((adjustment) => t.http.patch(`/products/${product.id}/stock`).send({ adjustment }))),
    ]);
    for (const r of [...orders, ...cancels, ...adjusted]) expect([200, 201, 409]).toContain(r.status);
    expect(cancels.every((r) => r.status === 200)).toBe(true);
    const ordered = orders.filter((r) => r.status === 201).length;
    const adjustedBy = adjusted.reduce((sum, r, i) => sum + (r.status === 200 ? adjustments[i] : 0), 0);
    expect(await stockOf(product.id)).toBe(30 - 20 + 10 - ordered + adjustedBy);
  });

  it('cancels and adjustments racing near MAX_STOCK never take stock past it: cancels return what fits, adjustments past it get 409', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: MAX_STOCK - 20 });
    const placed = await Promise.all(
      Array.from({ length: 10 }, () => placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 2 }])),
    );
    // room for 40 units; the cancels would return 20 and the adjustments add 50
    const [cancels, adjusted] = await Promise.all([
      Promise.all(placed.map((o) => t.http.post(`/orders/${o.id}/cancel`))),
      Promise.all(Array.from({ length: 10 }, () => t.http.patch(`/products/${product.id}/stock`).send({ adjustment: 5 }))),
    ]);
    expect(statuses(cancels)).toEqual({ 200: 10 });
    const refused = adjusted.filter((r) => r.status === 409);
    expect(refused.length + adjusted.filter((r) => r.status === 200).length).toBe(10);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    for (const r of refused) expect(r.body.code).toBe('STOCK_ABOVE_MAXIMUM');
    const ledger = (await t.http.get(`/products/${product.id}/stock/movements`).query({ limit: 100 })).body.items as {
      type: string;
      delta: number;
    }[];
    const returned = ledger.filter((m) => m.type === 'cancel').reduce((sum, m) => sum + m.delta, 0);
    expect(returned).toBeLessThanOrEqual(20);
    const stock = await stockOf(product.id);
    expect(stock).toBeLessThanOrEqual(MAX_STOCK);
    expect(stock).toBe(MAX_STOCK - 40 + returned + 5 * (10 - refused.length));
  });
});
