import { DataSource } from 'typeorm';
import { TOTAL_CAP } from '../src/common/pagination';
import { startApp, TestApp } from './support/app';
import { createCustomer, createProduct, expectProblem, placeOrder } from './support/factories';

/**
 * A customer's history answers its `total` from `customers.orders_count`, which the placing transaction counts
 * (src/customers/customers.service.ts, countOrder) instead of counting the customer's orders on every read: the
 * count must move with exactly the orders that commit.
 */
describe('Order count of a customer (e2e)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startApp();
    dataSource = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const history = async (customerId: number) => (await t.http.get(`/orders/${customerId}/history`).expect(200)).body;
  const totalOf = async (customerId: number) => {
    const { total, total_exact } = await history(customerId);
    return { total, total_exact };
  };
  const counted = async (customerId: number) =>
    Number((await dataSource.query('SELECT orders_count FROM customers WHERE id = ?', [customerId]))[0].orders_count);

  it('counts each placed order; cancelled ones still count; refused placements leave the count as it was', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 3 });
    expect(await totalOf(customer.id)).toEqual({ total: 0, total_exact: true });

    const first = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
    await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
    expect(await totalOf(customer.id)).toEqual({ total: 2, total_exact: true });

    await t.http.post(`/orders/${first.id}/cancel`).expect(200);
    expect(await totalOf(customer.id)).toEqual({ total: 2, total_exact: true });

    // the count's UPDATE ran first in each of these transactions and rolled back with it
    expectProblem(
      await t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 5 }] }),
      409,
      'INSUFFICIENT_STOCK',
    );
    expectProblem(
      await t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: 999_999, quantity: 1 }] }),
      404,
      'PRODUCT_NOT_FOUND',
    );
    const page = await history(customer.id);
    expect([page.total, page.total_exact, page.items.length]).toEqual([2, true, 2]);
    expect(await counted(customer.id)).toBe(2);
  });

  it("keeps a deleted customer's total, and counts no order refused for the deletion", async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http);
    await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
    await t.http.put(`/customers/${customer.id}`).send({ name: 'Renamed' }).expect(200);
    await t.http.delete(`/customers/${customer.id}`).expect(200);
    expectProblem(
      await t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
      404,
      'CUSTOMER_NOT_FOUND',
    );
    expect(await totalOf(customer.id)).toEqual({ total: 1, total_exact: true });
    expect(await counted(customer.id)).toBe(1);
  });

  it('counts 50 parallel orders of one customer exactly', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 1000 });
    await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
      ),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(50).fill(201));
    expect(await totalOf(customer.id)).toEqual({ total: 51, total_exact: true });
    const [{ orders }] = await dataSource.query('SELECT COUNT(*) AS orders FROM orders WHERE customer_id = ?', [customer.id]);
    expect(Number(orders)).toBe(51);
  });

  it('answers the cap beyond 10,000 orders from the count alone; with a status the orders are counted, as before', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http);
    const order = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
    // one order there, 10,001 counted: the history says what the count says, without counting the orders
    await dataSource.query('UPDATE customers SET orders_count = ? WHERE id = ?', [TOTAL_CAP + 1, customer.id]);
    const page = await history(customer.id);
    expect([page.total, page.total_exact, page.items.map((o: { id: number }) => o.id)]).toEqual([TOTAL_CAP, false, [order.id]]);
    const listed = (await t.http.get('/orders').query({ customer_id: customer.id }).expect(200)).body;
    expect([listed.total, listed.total_exact]).toEqual([TOTAL_CAP, false]);

    const pending = (await t.http.get('/orders').query({ customer_id: customer.id, status: 'pending' }).expect(200)).body;
    expect([pending.total, pending.total_exact]).toEqual([1, true]);

    await dataSource.query('UPDATE customers SET orders_count = ? WHERE id = ?', [TOTAL_CAP, customer.id]);
    expect(await totalOf(customer.id)).toEqual({ total: TOTAL_CAP, total_exact: true });
  });

  it('answers an unknown customer as before: 404 for its history, an empty list for the filter', async () => {
    expectProblem(await t.http.get('/orders/999999/history'), 404, 'CUSTOMER_NOT_FOUND');
    const listed = (await t.http.get('/orders').query({ customer_id: 999_999 }).expect(200)).body;
    expect([listed.items, listed.total, listed.total_exact]).toEqual([[], 0, true]);
  });

  it('never shows the count in a customer answer', async () => {
    const customer = await createCustomer(t.http);
    await placeOrder(t.http, customer.id, [{ product_id: (await createProduct(t.http)).id, quantity: 1 }]);
    const read = (await t.http.get(`/customers/${customer.id}`).expect(200)).body;
    expect(Object.keys(read).sort()).toEqual(['created_at', 'email', 'id', 'name', 'phone_number', 'updated_at']);
    const listed = (await t.http.get('/customers').query({ email: customer.email }).expect(200)).body;
    expect(Object.keys(listed.items[0]).sort()).toEqual(['created_at', 'email', 'id', 'name', 'phone_number', 'updated_at']);
  });
});
