import { DataSource } from 'typeorm';
import { IdempotencyKey } from '../src/idempotency/entities/idempotency-key.entity';
import { IdempotencyService, RETENTION_MS } from '../src/idempotency/idempotency.service';
import { createCustomer, createProduct, expectProblem, loggedInCustomer } from './support/factories';
import { startApp, TestApp } from './support/app';

describe('Idempotency-Key on POST /orders (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ env: { DB_POOL_SIZE: '20' } })));
  afterAll(() => t.close());

  const stockOf = async (productId: number) => (await t.http.get(`/products/${productId}/stock`)).body.quantity as number;
  const ordersOf = async (customerId: number) => (await t.http.get('/orders').query({ customer_id: customerId })).body.total as number;
  let n = 0;
  const newKey = () => `key-${process.pid}-${++n}`;

  it('replays the first answer for a retry with the same key and body, placing one order', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] };
    const key = newKey();
    const first = await t.http.post('/orders').set('Idempotency-Key', key).send(body).expect(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // same body with its fields in another order is the same request
    const retry = await t.http.post('/orders').set('Idempotency-Key', key).send({ items: body.items, customer_id: customer.id }).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await stockOf(product.id)).toBe(8);
    expect(await ordersOf(customer.id)).toBe(1);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body, changing nothing', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const key = newKey();
    await t.http.post('/orders').set('Idempotency-Key', key).send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }).expect(201);
    const res = await t.http.post('/orders').set('Idempotency-Key', key).send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 3 }] });
    expectProblem(res, 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await stockOf(product.id)).toBe(9);
  });

  it('replays a stored error: the retry of a 409 is the same 409 even after stock arrives', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 1 });
    const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] };
    const key = newKey();
    const first = await t.http.post('/orders').set('Idempotency-Key', key).send(body);
    expectProblem(first, 409, 'INSUFFICIENT_STOCK');
    await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: 5 }).expect(200);
    const retry = await t.http.post('/orders').set('Idempotency-Key', key).send(body);
    expectProblem(retry, 409, 'INSUFFICIENT_STOCK');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await stockOf(product.id)).toBe(6);
    // a new key is a new attempt
    await t.http.post('/orders').set('Idempotency-Key', newKey()).send(body).expect(201);
  });

  it('scopes keys to the caller: another customer with the same key gets its own order, never the first answer', async () => {
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const alice = await loggedInCustomer(t.http);
    const bob = await loggedInCustomer(t.http);
    const key = newKey();
    const a = await t.as(alice.token).post('/orders').set('Idempotency-Key', key).send({ customer_id: alice.customer.id, items: [{ product_id: product.id, quantity: 1 }] }).expect(201);
    const b = await t.as(bob.token).post('/orders').set('Idempotency-Key', key).send({ customer_id: bob.customer.id, items: [{ product_id: product.id, quantity: 1 }] }).expect(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.order.id).not.toBe(a.body.order.id);
    expect(b.body.order.customer_id).toBe(bob.customer.id);
    // the same body under the same key from the service is not Alice's either
    const s = await t.http.post('/orders').set('Idempotency-Key', key).send({ customer_id: alice.customer.id, items: [{ product_id: product.id, quantity: 1 }] }).expect(201);
    expect(s.headers['idempotent-replayed']).toBeUndefined();
    expect(await stockOf(product.id)).toBe(7);
  });

  it('lets exactly one of 10 parallel requests with one key place the order; the others replay it or get 409 in progress', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 100 });
    const key = newKey();
    const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] };
    const responses = await Promise.all(Array.from({ length: 10 }, () => t.http.post('/orders').set('Idempotency-Key', key).send(body)));
    const fresh = responses.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
    const replayed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === 'true');
    const busy = responses.filter((r) => r.status === 409);
    expect(fresh).toHaveLength(1);
    expect(replayed.length + busy.length).toBe(9);
    for (const r of busy) expect(r.body.code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
    for (const r of replayed) expect(r.body.order.id).toBe(fresh[0].body.order.id);
    expect(await stockOf(product.id)).toBe(99);
    expect(await ordersOf(customer.id)).toBe(1);
  });

  it.each([['a'.repeat(256)], ['with space'], ['tab\tkey']])('refuses the key %p with 400 INVALID_IDEMPOTENCY_KEY', async (key) => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 5 });
    expectProblem(await t.http.post('/orders').set('Idempotency-Key', key).send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }), 400, 'INVALID_IDEMPOTENCY_KEY');
    expect(await stockOf(product.id)).toBe(5);
  });

  it('keeps answers 24 hours: an expired key is purged and may be used again for a new request', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const key = newKey();
    await t.http.post('/orders').set('Idempotency-Key', key).send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }).expect(201);
    const service = t.app.get(IdempotencyService);
    expect(await service.purgeExpired()).toBe(0);
    await t.app.get(DataSource).getRepository(IdempotencyKey).update({ key }, { createdAt: new Date(Date.now() - RETENTION_MS - 1000) });
    expect(await service.purgeExpired()).toBe(1);
    const again = await t.http.post('/orders').set('Idempotency-Key', key).send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 4 }] }).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await stockOf(product.id)).toBe(5);
  });
});
