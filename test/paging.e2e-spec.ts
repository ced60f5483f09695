import { DataSource } from 'typeorm';
import { EventRelay } from '../src/events/event-relay';
import { onMysql, startApp, TestApp } from './support/app';
import { createApiKey, createCustomer, createProduct, expectProblem, loggedInCustomer, placeOrder } from './support/factories';
import { expectWalked, expectWalkedInOrder, newerFirst, walk } from './support/paging';

/**
 * Keyset paging (`after` / `next_cursor`) on every list, on both engines: a walk from the first page to
 * `next_cursor: null` reads every item exactly once, in the list's order, also across ties of the sort key,
 * with the list's filters, and while rows come and go. The cost side (index range reads) and the capped total
 * are test/lists-at-scale.e2e-spec.ts.
 */
describe('Keyset paging (e2e)', () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startApp();
    dataSource = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  /**
   * Rows made one after another get distinct created_at values; ties, and times 1 ms apart, are made here on
   * purpose, in the form both engines hold DATETIME(3) columns in.
   */
  const setCreatedAt = (table: string, times: [id: number, time: string][]) =>
    Promise.all(times.map(([id, time]) => dataSource.query(`UPDATE ${table} SET created_at = ? WHERE id = ?`, [time, id])));
  const T1 = '2026-03-01 10:00:00.250';
  const T2 = '2026-03-01 10:00:00.251';
  const T3 = '2026-03-01 10:00:01.000';
  // one second as TypeORM's column default writes it on SQLite (no milliseconds) and as an explicit time does:
  // SQLite sorts the two texts apart, MariaDB holds one time; either way a cursor must continue exactly after it
  const T4 = '2026-03-01 10:00:02';
  const T4_MS = '2026-03-01 10:00:02.000';
  /** A time as the database sorts it: SQLite compares the text, MariaDB the time. */
  const sortable = (time: string) => (onMysql && time.length === 19 ? `${time}.000` : time);
  const ids = (rows: { id: number }[]) => rows.map((row) => row.id);
  /** Newest first by the times given, then by id: the expected order, computed apart from the server. */
  const newestFirst = (times: [id: number, time: string][]) =>
    [...times]
      .map(([id, time]): [number, string] => [id, sortable(time)])
      .sort(([a, ta], [b, tb]) => (ta === tb ? b - a : ta < tb ? 1 : -1))
      .map(([id]) => id);

  describe('every list, walked with after', () => {
    it('GET /customers: oldest first by id, deleted ones skipped, with search and email', async () => {
      const token = `walkc${Date.now()}`;
      const customers: Awaited<ReturnType<typeof createCustomer>>[] = [];
      for (let i = 0; i < 5; i++) customers.push(await createCustomer(t.http, { name: `Walker ${token} ${i}` }));
      await t.http.delete(`/customers/${customers[2].id}`).expect(200);
      const expected = ids(customers).filter((id) => id !== customers[2].id);

      expectWalked(await walk(t.http, '/customers', { search: token }), expected);
      expectWalked(await walk(t.http, '/customers', { search: token }, 3), expected);
      expectWalked(await walk(t.http, '/customers', { email: customers[4].email.toUpperCase() }), [customers[4].id]);
      expectWalkedInOrder(await walk(t.http, '/customers', {}, 7), expected, (a, b) => a.id < b.id);
    });

    it('GET /api-keys: newest first by created_at then id, revoked keys included', async () => {
      const keys = [];
      for (let i = 0; i < 5; i++) keys.push(await createApiKey(t.http, ['orders:read']));
      await t.http.delete(`/api-keys/${keys[1].id}`).expect(200);
      const walked = await walk<{ id: number; created_at: string }>(t.http, '/api-keys', {}, 2);
      // every key of the suite so far, each once, newest first: these five among them, the last made first
      expectWalkedInOrder(walked, keys.map((key) => key.id).reverse(), newerFirst);
    });

    it('GET /products: oldest first by id, with search and in_stock both ways', async () => {
      const token = `walkp${Date.now()}`;
      const stocks = [0, 5, 0, 7, 0, 3];
      const products: Awaited<ReturnType<typeof createProduct>>[] = [];
      for (const stock_quantity of stocks) products.push(await createProduct(t.http, { name: `Walker ${token}`, stock_quantity }));
      await t.http.delete(`/products/${products[5].id}`).expect(200);
      // in_stock follows the stock: a product sold out since it was created lists as out of stock
      await t.http.patch(`/products/${products[1].id}/stock`).send({ quantity: 0 }).expect(200);
      const listed = products.slice(0, 5);
      const empty = ids([products[0], products[1], products[2], products[4]]);
      const stocked = ids([products[3]]);

      expectWalked(await walk(t.http, '/products', { search: token }), ids(listed));
      expectWalked(await walk(t.http, '/products', { search: token, in_stock: false }), empty);
      expectWalked(await walk(t.http, '/products', { search: token, in_stock: true }), stocked);
      const anyEmpty = await walk<{ id: number; stock_quantity: number }>(t.http, '/products', { in_stock: false }, 5);
      expectWalkedInOrder(anyEmpty, empty, (a, b) => a.id < b.id);
      expect(anyEmpty.items.filter((p) => p.stock_quantity !== 0)).toEqual([]);
      // public: no credentials needed to page the catalogue
      expectWalked(await walk(t.anon, '/products', { search: token }), ids(listed));
    });

    describe('orders', () => {
      let customer: Awaited<ReturnType<typeof loggedInCustomer>>;
      let times: [number, string][];
      let cancelled: number[];

      beforeAll(async () => {
        customer = await loggedInCustomer(t.http);
        const product = await createProduct(t.http, { stock_quantity: 100 });
        const orders = [];
        for (let i = 0; i < 7; i++) orders.push(await placeOrder(t.http, customer.customer.id, [{ product_id: product.id, quantity: 1 }]));
        // ties at T1, T2 and T3 (across page boundaries for limits 2 and 3), T2 one millisecond after T1, and the
        // newest id given the oldest time: the order cannot be the ids' order
        times = [
          [orders[0].id, T2],
          [orders[1].id, T2],
          [orders[2].id, T1],
          [orders[3].id, T3],
          [orders[4].id, T2],
          [orders[5].id, T3],
          [orders[6].id, T1],
        ];
        await setCreatedAt('orders', times);
        cancelled = [orders[1].id, orders[3].id, orders[6].id];
        for (const id of cancelled) await t.http.post(`/orders/${id}/cancel`).expect(200);
      });

      it('GET /orders?customer_id: newest first by created_at then id, across ties and a 1 ms difference', async () => {
        const expected = newestFirst(times);
        for (const limit of [1, 2, 3, 7, 100]) {
          expectWalked(await walk(t.http, '/orders', { customer_id: customer.customer.id }, limit), expected);
        }
      });

      it('GET /orders with status, with customer_id and status, and unfiltered', async () => {
        const expectedCancelled = newestFirst(times.filter(([id]) => cancelled.includes(id)));
        expectWalked(await walk(t.http, '/orders', { customer_id: customer.customer.id, status: 'cancelled' }), expectedCancelled);
        const allCancelled = await walk<{ id: number; created_at: string; status: string }>(t.http, '/orders', { status: 'cancelled' });
        expectWalkedInOrder(allCancelled, expectedCancelled, newerFirst);
        expect(allCancelled.items.filter((o) => o.status !== 'cancelled')).toEqual([]);
        expectWalkedInOrder(await walk(t.http, '/orders', {}, 3), newestFirst(times), newerFirst);
      });

      it("GET /orders/:customer_id/history: the same order, with the API key or the customer's own token", async () => {
        const expected = newestFirst(times);
        expectWalked(await walk(t.http, `/orders/${customer.customer.id}/history`), expected);
        expectWalked(await walk(t.as(customer.token), `/orders/${customer.customer.id}/history`, {}, 3), expected);
      });

      it('a cursor is a position in the order: with another filter it continues from there, the filter applied', async () => {
        const expected = newestFirst(times);
        const first = (await t.http.get('/orders').query({ customer_id: customer.customer.id, limit: 3 }).expect(200)).body;
        const afterThird = await walk(t.http, '/orders', {
          customer_id: customer.customer.id,
          status: 'cancelled',
          after: first.next_cursor,
        });
        expect(ids(afterThird.items)).toEqual(expected.slice(3).filter((id) => cancelled.includes(id)));
        // the history and GET /orders are one order, so their cursors serve each other
        const history = await t.http
          .get(`/orders/${customer.customer.id}/history`)
          .query({ after: first.next_cursor, limit: 100 })
          .expect(200);
        expect(ids(history.body.items)).toEqual(expected.slice(3));
      });

      it('offset paging still works, and its next_cursor continues after its page', async () => {
        const expected = newestFirst(times);
        const page = (await t.http.get('/orders').query({ customer_id: customer.customer.id, limit: 2, offset: 2 }).expect(200)).body;
        expect(page).toMatchObject({ total: 7, total_exact: true, limit: 2, offset: 2 });
        expect(ids(page.items)).toEqual(expected.slice(2, 4));
        const rest = await walk(t.http, '/orders', { customer_id: customer.customer.id, after: page.next_cursor }, 2);
        expect(ids(rest.items)).toEqual(expected.slice(4));
        const last = (await t.http.get('/orders').query({ customer_id: customer.customer.id, limit: 2, offset: 6 }).expect(200)).body;
        expect([ids(last.items), last.next_cursor]).toEqual([expected.slice(6), null]);
      });
    });

    it("GET /products/:id/stock/movements: a product's ledger newest first, across ties and both forms of a time", async () => {
      const product = await createProduct(t.http, { stock_quantity: 10 });
      for (const adjustment of [1, -2, 3, -4, 5, -6, 7])
        await t.http.patch(`/products/${product.id}/stock`).send({ adjustment }).expect(200);
      const ledger = (await t.http.get(`/products/${product.id}/stock/movements`).query({ limit: 100 }).expect(200)).body.items;
      const movementTimes: [number, string][] = ids(ledger).map((id, i) => [id, [T1, T3, T4, T1, T2, T4_MS, T3, T1][i]]);
      await setCreatedAt('stock_movements', movementTimes);
      expectWalked(await walk(t.http, `/products/${product.id}/stock/movements`), newestFirst(movementTimes));
      // readable after the product is deleted, cursors included
      await t.http.delete(`/products/${product.id}`).expect(200);
      expectWalked(await walk(t.http, `/products/${product.id}/stock/movements`, {}, 4), newestFirst(movementTimes));
    });

    it('GET /inventory/low-stock: lowest quantity first, then by id, ties included; only low, undeleted products', async () => {
      const quantities = [3, 1, 3, 0, 1, 3, 2];
      const low = [];
      for (const stock_quantity of quantities) low.push(await createProduct(t.http, { stock_quantity, reorder_threshold: 3 }));
      const fine = await createProduct(t.http, { stock_quantity: 4, reorder_threshold: 3 });
      const deleted = await createProduct(t.http, { stock_quantity: 0, reorder_threshold: 3 });
      await t.http.delete(`/products/${deleted.id}`).expect(200);
      // a product that sells down to its threshold joins the list; one restocked above it leaves
      const joining = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 3 });
      await t.http.patch(`/products/${joining.id}/stock`).send({ adjustment: -3 }).expect(200);
      const leaving = await createProduct(t.http, { stock_quantity: 1, reorder_threshold: 3 });
      await t.http.patch(`/products/${leaving.id}/stock`).send({ quantity: 9 }).expect(200);

      const expected = [...low.map((p) => [p.id, p.stock_quantity]), [joining.id, 2]]
        .sort(([a, qa], [b, qb]) => qa - qb || a - b)
        .map(([id]) => id);
      type LowItem = { product_id: number; quantity: number };
      const walked = await walk<LowItem>(t.http, '/inventory/low-stock', {}, 2);
      expectWalkedInOrder(
        walked,
        expected,
        (a, b) => a.quantity < b.quantity || (a.quantity === b.quantity && a.product_id < b.product_id),
        (item) => item.product_id,
      );
      const listed = walked.items.map((item) => item.product_id);
      expect([fine.id, deleted.id, leaving.id].filter((id) => listed.includes(id))).toEqual([]);
    });

    it('GET /replenishments: newest first, with product_id, status, and both', async () => {
      const product = await createProduct(t.http, { stock_quantity: 10 });
      const replenishmentIds: number[] = [];
      for (let i = 0; i < 6; i++) {
        replenishmentIds.push(
          (await t.http.post('/replenishments').send({ product_id: product.id, quantity: 5 }).expect(201)).body.replenishment.id,
        );
      }
      const replenishmentTimes: [number, string][] = replenishmentIds.map((id, i) => [id, [T3, T1, T3, T2, T1, T3][i]]);
      await setCreatedAt('replenishments', replenishmentTimes);
      const cancelled = [replenishmentIds[0], replenishmentIds[2], replenishmentIds[4]];
      for (const id of cancelled) await t.http.post(`/replenishments/${id}/cancel`).expect(200);

      expectWalked(await walk(t.http, '/replenishments', { product_id: product.id }), newestFirst(replenishmentTimes));
      const expectedCancelled = newestFirst(replenishmentTimes.filter(([id]) => cancelled.includes(id)));
      expectWalked(await walk(t.http, '/replenishments', { product_id: product.id, status: 'cancelled' }), expectedCancelled);
      expectWalkedInOrder(await walk(t.http, '/replenishments', { status: 'cancelled' }), expectedCancelled, newerFirst);
      expectWalkedInOrder(await walk(t.http, '/replenishments', {}, 4), newestFirst(replenishmentTimes), newerFirst);
    });

    it("GET /webhooks and an endpoint's delivery log (newest first by id, with status)", async () => {
      const webhooks = [];
      for (let i = 0; i < 5; i++) {
        webhooks.push(
          (
            await t.http
              .post('/webhooks')
              .send({ url: `http://127.0.0.1:9/hook-${i}`, event_types: ['*'] })
              .expect(201)
          ).body.webhook,
        );
      }
      expectWalkedInOrder(await walk(t.http, '/webhooks', {}, 2), ids(webhooks), (a, b) => a.id < b.id);

      // events made now become deliveries to the endpoints when the relay hands them over (nothing is sent: the
      // dispatcher is off in tests)
      for (let i = 0; i < 5; i++) await createCustomer(t.http);
      await t.app.get(EventRelay).runOnce();
      const [{ id: webhookId }] = webhooks;
      const delivered: { id: number }[] = await dataSource.query(
        'SELECT id FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC',
        [webhookId],
      );
      const deliveryIds = ids(delivered.map((row) => ({ id: Number(row.id) })));
      expect(deliveryIds.length).toBeGreaterThanOrEqual(5);
      const failed = deliveryIds.filter((_, i) => i % 2 === 1);
      await dataSource.query(`UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL WHERE id IN (${failed.join(', ')})`);

      expectWalked(await walk(t.http, `/webhooks/${webhookId}/deliveries`), deliveryIds);
      expectWalked(await walk(t.http, `/webhooks/${webhookId}/deliveries`, { status: 'failed' }), failed);
    });
  });

  describe('while rows come and go', () => {
    it('neither repeats nor skips an item when rows before the cursor are deleted and new ones added', async () => {
      const token = `churn${Date.now()}`;
      const customers: Awaited<ReturnType<typeof createCustomer>>[] = [];
      for (let i = 0; i < 6; i++) customers.push(await createCustomer(t.http, { name: `Churn ${token}` }));
      const seen: number[] = [];
      let page = (await t.http.get('/customers').query({ search: token, limit: 2 }).expect(200)).body;
      seen.push(...ids(page.items));
      // the first item read goes, and a new one comes: an offset would now skip customers[2]
      await t.http.delete(`/customers/${customers[0].id}`).expect(200);
      const added = await createCustomer(t.http, { name: `Churn ${token}` });
      while (page.next_cursor !== null) {
        page = (await t.http.get('/customers').query({ search: token, limit: 2, after: page.next_cursor }).expect(200)).body;
        seen.push(...ids(page.items));
      }
      expect(seen).toEqual([...ids(customers), added.id]);
    });

    it('an order placed during a walk of the newest-first list does not push an item into the next page twice', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 100 });
      const placed = [];
      for (let i = 0; i < 5; i++) placed.push(await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]));
      const first = (await t.http.get('/orders').query({ customer_id: customer.id, limit: 2 }).expect(200)).body;
      await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
      const rest = await walk(t.http, '/orders', { customer_id: customer.id, after: first.next_cursor }, 2);
      expect([...ids(first.items), ...ids(rest.items)]).toEqual(ids(placed).reverse());
    });
  });

  describe('refusals', () => {
    let product: { id: number };
    let webhookId: number;
    let customerId: number;
    /** Every list that takes `after`, with what it needs in its path. */
    const lists = () => [
      '/customers',
      '/products',
      '/orders',
      `/orders/${customerId}/history`,
      `/products/${product.id}/stock/movements`,
      '/inventory/low-stock',
      '/replenishments',
      '/webhooks',
      `/webhooks/${webhookId}/deliveries`,
    ];

    beforeAll(async () => {
      product = await createProduct(t.http);
      customerId = (await createCustomer(t.http)).id;
      webhookId = (
        await t.http
          .post('/webhooks')
          .send({ url: 'http://127.0.0.1:9/refusals', event_types: ['*'] })
          .expect(201)
      ).body.webhook.id;
    });

    const json = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    it.each([
      ['empty', ''],
      ['percent-encoded garbage', '%ZZ'],
      ['garbage base64', 'AAAA'],
      ['base64 of text', json('hello')],
      ['SQL', "1' OR '1'='1"],
      ['JSON of the wrong shape', json({ list: 'orders' })],
      ['sort keys of the wrong types', json({ list: 'orders', keys: [42, '2026-01-01T00:00:00.000Z'] })],
      ['an id as a string', json({ list: 'customers', keys: ['1'] })],
      ['a huge number', json('{"list":"customers","keys":[1e400]}')],
      ['an id beyond 32 bits', json({ list: 'customers', keys: [2 ** 40] })],
      ['a date that does not exist', json({ list: 'orders', keys: ['2026-02-30T00:00:00.000Z', 1] })],
      ['an event feed cursor', Buffer.from('v1:42').toString('base64url')],
      ['a cursor far too long', 'A'.repeat(10_000)],
    ])('a cursor that is %s: 400 INVALID_CURSOR on every list, never a 500', async (_case, after) => {
      for (const path of lists()) {
        const res = await t.http.get(path).query({ after });
        expectProblem(res, 400, 'INVALID_CURSOR');
        expect(res.body.errors).toEqual([{ field: 'after', message: expect.any(String) }]);
      }
    });

    it("another list's cursor: 400 INVALID_CURSOR", async () => {
      await createCustomer(t.http);
      await createCustomer(t.http);
      const customersCursor = (await t.http.get('/customers').query({ limit: 1 }).expect(200)).body.next_cursor;
      expect(customersCursor).toEqual(expect.any(String));
      for (const path of lists().filter((path) => path !== '/customers')) {
        expectProblem(await t.http.get(path).query({ after: customersCursor }), 400, 'INVALID_CURSOR');
      }
      expect((await t.http.get('/customers').query({ after: customersCursor }).expect(200)).body.items.length).toBeGreaterThan(0);
    });

    it('bad percent-encoding in after, sent as it is: 400 INVALID_CURSOR (the query parser keeps it as text)', async () => {
      expectProblem(await t.http.get('/orders?after=%ZZ'), 400, 'INVALID_CURSOR');
      expectProblem(await t.http.get('/orders?after=%E0%A4%A'), 400, 'INVALID_CURSOR');
    });

    it('a repeated after: 400 VALIDATION_FAILED naming after', async () => {
      const res = await t.http.get('/orders?after=a&after=b');
      expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors).toEqual([expect.objectContaining({ field: 'after' })]);
    });

    it('after with a non-zero offset: 400 VALIDATION_FAILED naming offset, on every list; with offset 0 it is fine', async () => {
      await createCustomer(t.http);
      await createCustomer(t.http);
      const cursor = (await t.http.get('/customers').query({ limit: 1 }).expect(200)).body.next_cursor;
      for (const path of lists()) {
        const res = await t.http.get(path).query({ after: 'AAAA', offset: 5 });
        expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors).toEqual([expect.objectContaining({ field: 'offset' })]);
      }
      await t.http.get('/customers').query({ after: cursor, offset: 0 }).expect(200);
    });
  });
});
