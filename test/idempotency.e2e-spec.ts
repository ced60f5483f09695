import { DataSource } from 'typeorm';
import { TransactionRunner } from '../src/database/transaction-runner';
import { IdempotencyKey } from '../src/idempotency/entities/idempotency-key.entity';
import { ABANDONED_AFTER_MS, IdempotencyService, RETENTION_MS } from '../src/idempotency/idempotency.service';
import { Order } from '../src/orders/entities/order.entity';
import { OrdersService } from '../src/orders/orders.service';
import { createCustomer, createProduct, expectProblem, loggedInCustomer } from './support/factories';
import { connectToMysql, onMysql, startApp, TestApp } from './support/app';

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
    const retry = await t.http
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ items: body.items, customer_id: customer.id })
      .expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    expect(await stockOf(product.id)).toBe(8);
    expect(await ordersOf(customer.id)).toBe(1);
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the same key with another body, changing nothing', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const key = newKey();
    await t.http
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] })
      .expect(201);
    const res = await t.http
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 3 }] });
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
    const a = await t
      .as(alice.token)
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ customer_id: alice.customer.id, items: [{ product_id: product.id, quantity: 1 }] })
      .expect(201);
    const b = await t
      .as(bob.token)
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ customer_id: bob.customer.id, items: [{ product_id: product.id, quantity: 1 }] })
      .expect(201);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(b.body.order.id).not.toBe(a.body.order.id);
    expect(b.body.order.customer_id).toBe(bob.customer.id);
    // the same body under the same key from the service is not Alice's either
    const s = await t.http
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ customer_id: alice.customer.id, items: [{ product_id: product.id, quantity: 1 }] })
      .expect(201);
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
    expectProblem(
      await t.http
        .post('/orders')
        .set('Idempotency-Key', key)
        .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
      400,
      'INVALID_IDEMPOTENCY_KEY',
    );
    expect(await stockOf(product.id)).toBe(5);
  });

  it('keeps answers 24 hours: an expired key is purged and may be used again for a new request', async () => {
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const key = newKey();
    await t.http
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] })
      .expect(201);
    const service = t.app.get(IdempotencyService);
    expect(await service.purgeExpired()).toBe(0);
    await t.app
      .get(DataSource)
      .getRepository(IdempotencyKey)
      .update({ key }, { createdAt: new Date(Date.now() - RETENTION_MS - 1000) });
    expect(await service.purgeExpired()).toBe(1);
    const again = await t.http
      .post('/orders')
      .set('Idempotency-Key', key)
      .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 4 }] })
      .expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(await stockOf(product.id)).toBe(5);
  });

  describe('the key and the order commit together', () => {
    const keys = () => t.app.get(DataSource).getRepository(IdempotencyKey);
    const ordersInDb = (customerId: number) => t.app.get(DataSource).getRepository(Order).countBy({ customerId });
    const backDate = (key: string) =>
      keys().update({ scope: 'service', key }, { createdAt: new Date(Date.now() - ABANDONED_AFTER_MS - 5000) });

    it('replays an order that committed even if every write after its commit failed and its claim looks abandoned', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 10 });
      const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] };
      const key = newKey();
      // from the moment the order has committed, the database refuses this process every further
      // transaction, as if it had died there: whatever the server still meant to write is lost
      const runner = t.app.get(TransactionRunner);
      const run = runner.run.bind(runner);
      let orderCommitted = false;
      const outage = jest.spyOn(runner, 'run').mockImplementation((async (work: Parameters<typeof run>[0]) => {
        if (orderCommitted) throw new Error('database unreachable');
        const result = await run(work);
        orderCommitted = (await ordersInDb(customer.id)) > 0;
        return result;
      }) as typeof runner.run);
      let first;
      try {
        first = await t.http.post('/orders').set('Idempotency-Key', key).send(body);
      } finally {
        outage.mockRestore();
      }
      expect(first.status).toBe(201);
      expect(await ordersInDb(customer.id)).toBe(1);

      await backDate(key);
      const retry = await t.http.post('/orders').set('Idempotency-Key', key).send(body).expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await ordersInDb(customer.id)).toBe(1);
      expect(await stockOf(product.id)).toBe(8);
    });

    it('lets exactly one of 10 parallel retries take over an abandoned claim; the others replay it or get 409', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 100 });
      const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] };
      // the hash covers method, route and body, not the key: borrow it from a request with another key
      const other = newKey();
      await t.http.post('/orders').set('Idempotency-Key', other).send(body).expect(201);
      const { requestHash } = await keys().findOneByOrFail({ scope: 'service', key: other });
      // a claim whose request died before its order committed
      const key = newKey();
      await keys().insert({
        scope: 'service',
        key,
        requestHash,
        claimToken: 'died-with-its-server',
        statusCode: null,
        responseBody: null,
        createdAt: new Date(Date.now() - ABANDONED_AFTER_MS - 5000),
      });

      const retries = 10;
      const send = () => Promise.all(Array.from({ length: retries }, () => t.http.post('/orders').set('Idempotency-Key', key).send(body)));
      // MariaDB: hold the claim row locked until every retry has read it as abandoned and waits to take it
      // over, the worst interleaving (SQLite runs one transaction at a time, so its retries cannot interleave)
      const responses = onMysql ? await whileRowLocked(t.database, key, retries, send) : await send();
      const fresh = responses.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
      const replayed = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === 'true');
      const busy = responses.filter((r) => r.status === 409);
      console.log(`abandoned claim, ${retries} parallel retries: ${fresh.length} ran, ${replayed.length} replayed, ${busy.length} got 409`);
      expect(fresh).toHaveLength(1);
      expect(replayed.length + busy.length).toBe(retries - 1);
      for (const r of busy) expect(r.body.code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
      for (const r of replayed) expect(r.body.order.id).toBe(fresh[0].body.order.id);
      expect(await ordersInDb(customer.id)).toBe(2);
      expect(await stockOf(product.id)).toBe(98);
    });

    it('rolls back the order of a request whose claim a retry took over, so that only one of them commits', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 10 });
      const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 3 }] };
      const other = newKey();
      await t.http.post('/orders').set('Idempotency-Key', other).send(body).expect(201);
      const { requestHash } = await keys().findOneByOrFail({ scope: 'service', key: other });
      // a slow first request: it claimed the key, then stayed away past ABANDONED_AFTER_MS
      const key = newKey();
      const slow = await t.app.get(IdempotencyService).claim('service', key, requestHash);
      if (slow.kind !== 'new') throw new Error('expected a new claim');
      await backDate(key);
      const retry = await t.http.post('/orders').set('Idempotency-Key', key).send(body).expect(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();

      // the slow request now reaches its transaction: its claim is no longer its own
      await expect(t.app.get(OrdersService).place(body, undefined, slow.claim)).rejects.toMatchObject({
        code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS',
      });
      expect(await ordersInDb(customer.id)).toBe(2);
      expect(await stockOf(product.id)).toBe(4);
      const again = await t.http.post('/orders').set('Idempotency-Key', key).send(body).expect(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(retry.body);
    });

    it('keeps a key whose order committed even when the request then fails on the server side', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 10 });
      const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] };
      const key = newKey();
      const outcome = await t.app.get(IdempotencyService).claim('service', key, 'h'.repeat(64));
      if (outcome.kind !== 'new') throw new Error('expected a new claim');
      await t.app.get(OrdersService).place(body, undefined, outcome.claim);
      // what the interceptor does on a 5xx: free the claim, which must not free a key whose work committed
      await t.app.get(IdempotencyService).release(outcome.claim);
      expect(await keys().findOneByOrFail({ scope: 'service', key })).toMatchObject({ statusCode: 201 });
    });
  });
});

/**
 * Runs `work` while a connection of its own holds the key's claim row locked, and lets go once `waiters`
 * statements wait for that lock (or after 10 s).
 */
async function whileRowLocked<T>(database: string, key: string, waiters: number, work: () => Promise<T>): Promise<T> {
  const connection = await connectToMysql(database);
  try {
    await connection.beginTransaction();
    await connection.query('SELECT * FROM idempotency_keys WHERE scope = ? AND idempotency_key = ? FOR UPDATE', ['service', key]);
    const result = work();
    const deadline = Date.now() + 10_000;
    for (;;) {
      // statements of the app's connections still running while the lock is held are waiting for it
      const [rows] = await connection.query(
        `SELECT COUNT(*) AS waiting FROM information_schema.processlist WHERE db = ? AND command = 'Query' AND id <> CONNECTION_ID()`,
        [database],
      );
      if (Number((rows as { waiting: number }[])[0].waiting) >= waiters || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await connection.commit();
    return await result;
  } finally {
    await connection.end();
  }
}
