import { createCustomer, createProduct } from './support/factories';
import { engine, startApp, TestApp } from './support/app';

/**
 * A failed request changes nothing, and nobody sees it half done: reads running alongside orders that roll
 * back must never observe the stock those orders took before failing. On MariaDB that is the isolation level.
 * On SQLite every query shares one connection, and it holds because better-sqlite3 is synchronous: a
 * transaction made only of database calls runs to its end before another request is handled. Awaiting real
 * I/O inside a transaction (hashing a password, calling a service) would break it, and this test.
 */
describe(`Read isolation on ${engine} (e2e)`, () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('stock reads never see units taken by an order that then fails', async () => {
    const customer = await createCustomer(t.http);
    const plenty = await createProduct(t.http, { stock_quantity: 100 });
    const none = await createProduct(t.http, { stock_quantity: 0 });
    const failing = {
      customer_id: customer.id,
      items: [
        { product_id: plenty.id, quantity: 7 },
        { product_id: none.id, quantity: 1 },
      ],
    };
    const seen = new Set<number>();
    for (let round = 0; round < 20; round++) {
      const [orders, reads] = await Promise.all([
        Promise.all(Array.from({ length: 5 }, () => t.http.post('/orders').send(failing))),
        Promise.all(Array.from({ length: 10 }, () => t.http.get(`/products/${plenty.id}/stock`))),
      ]);
      for (const o of orders) expect(o.status).toBe(409);
      for (const r of reads) seen.add(r.body.quantity);
    }
    expect([...seen]).toEqual([100]);
  });
});
