import { DataSource } from 'typeorm';
import { startApp, TestApp } from './support/app';
import { createCustomer, createProduct, expectProblem, placeOrder } from './support/factories';

interface OutboxRow {
  type: string;
  subject_type: string;
  subject_id: number;
  data: string;
}

/** Every state change writes its events in its own transaction (the outbox); a rolled-back change writes none. */
describe('Outbox (e2e)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startApp();
    dataSource = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const eventsAfter = async (id: number): Promise<OutboxRow[]> =>
    (await dataSource.query('SELECT id, type, subject_type, subject_id, data FROM events WHERE id > ? ORDER BY id', [id])) as OutboxRow[];
  const lastId = async () => Number((await dataSource.query('SELECT COALESCE(MAX(id), 0) AS id FROM events'))[0].id);

  it("writes a placed order's events with it: the order, and each stock movement", async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 3 });
    const before = await lastId();
    const order = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 2 }]);

    const events = await eventsAfter(before);
    expect(events.map((e) => [e.type, e.subject_type, Number(e.subject_id)])).toEqual([
      ['stock.changed', 'product', product.id],
      ['stock.low', 'product', product.id],
      ['order.created', 'order', order.id],
    ]);
    expect(JSON.parse(events[0].data)).toMatchObject({
      type: 'order',
      delta: -2,
      quantity_after: 3,
      order_id: order.id,
      product_id: product.id,
      quantity: 3,
    });
    expect(JSON.parse(events[2].data)).toEqual(order);
  });

  it('writes no event for an order that rolls back for lack of stock', async () => {
    const customer = await createCustomer(t.http);
    const plenty = await createProduct(t.http, { stock_quantity: 10 });
    const scarce = await createProduct(t.http, { stock_quantity: 1 });
    const before = await lastId();
    const res = await t.http.post('/orders').send({
      customer_id: customer.id,
      items: [
        { product_id: plenty.id, quantity: 1 },
        { product_id: scarce.id, quantity: 2 },
      ],
    });
    expectProblem(res, 409, 'INSUFFICIENT_STOCK');
    expect(await eventsAfter(before)).toEqual([]);
  });

  it("writes catalogue and customer changes, and a new product's opening stock", async () => {
    const before = await lastId();
    const customer = await createCustomer(t.http);
    await t.http.put(`/customers/${customer.id}`).send({ name: 'Renamed' }).expect(200);
    await t.http.delete(`/customers/${customer.id}`).expect(200);
    const product = await createProduct(t.http, { stock_quantity: 4 });
    await t.http.put(`/products/${product.id}`).send({ price: 2.5 }).expect(200);
    await t.http.delete(`/products/${product.id}`).expect(200);
    expect((await eventsAfter(before)).map((e) => e.type)).toEqual([
      'customer.created',
      'customer.updated',
      'customer.deleted',
      'product.created',
      'stock.changed',
      'product.updated',
      'product.deleted',
    ]);
  });

  it('writes status changes and cancels, with from/to and the reason', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const order = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
    const before = await lastId();
    await t.http.patch(`/orders/${order.id}/status`).send({ status: 'processing' }).expect(200);
    await t.http.post(`/orders/${order.id}/cancel`).send({ reason: 'Changed my mind' }).expect(200);
    const events = await eventsAfter(before);
    expect(events.map((e) => e.type)).toEqual(['order.status_changed', 'stock.changed', 'order.cancelled']);
    expect(JSON.parse(events[0].data)).toMatchObject({ id: order.id, status: 'processing', from: 'pending', to: 'processing' });
    expect(JSON.parse(events[2].data)).toMatchObject({ id: order.id, status: 'cancelled', reason: 'Changed my mind' });
  });
});
