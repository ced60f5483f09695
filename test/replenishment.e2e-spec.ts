import { DataSource } from 'typeorm';
import { ReplenishmentService } from '../src/replenishment/replenishment.service';
import { createCustomer, createProduct, expectProblem, placeOrder } from './support/factories';
import { incomingMismatches, unbalancedProducts } from './support/ledger';
import { engine, ENV_KEY_ACTOR, onMysql, startApp, TestApp } from './support/app';

interface Replenishment {
  id: number;
  product_id: number;
  quantity: number;
  received_quantity: number;
  status: string;
  origin: string;
  expected_at: string | null;
  created_at: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const statuses = (responses: { status: number }[]) =>
  responses.reduce<Record<number, number>>((count, r) => ({ ...count, [r.status]: (count[r.status] ?? 0) + 1 }), {});

describe(`Replenishment on ${engine} (e2e)`, () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startApp({ env: { DB_POOL_SIZE: '20' } });
    dataSource = t.app.get(DataSource);
  });
  afterAll(() => t.close());
  afterEach(async () => {
    expect(await unbalancedProducts(dataSource)).toEqual([]);
    expect(await incomingMismatches(dataSource)).toEqual([]);
  });

  const stock = async (productId: number) => (await t.http.get(`/products/${productId}/stock`).expect(200)).body;
  const movements = async (productId: number) =>
    (await t.http.get(`/products/${productId}/stock/movements`).query({ limit: 100 }).expect(200)).body.items;
  const pass = async () =>
    (await t.http.post('/inventory/restock').expect(200)).body as { restocked: unknown[]; replenishments: Replenishment[] };
  const ordersOf = async (productId: number, status?: string) =>
    (
      await t.http
        .get('/replenishments')
        .query({ product_id: productId, limit: 100, ...(status && { status }) })
        .expect(200)
    ).body.items as Replenishment[];
  const order = async (productId: number, quantity: number, extra: object = {}) =>
    (
      await t.http
        .post('/replenishments')
        .send({ product_id: productId, quantity, ...extra })
        .expect(201)
    ).body.replenishment as Replenishment;
  /** Passes that begin after a restock must be able to see it as earlier (millisecond timestamps). */
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  describe('the pass', () => {
    it('lead time 0 keeps the old behaviour: stock rises in the same pass, one restock movement carrying the replenishment', async () => {
      const product = await createProduct(t.http, { stock_quantity: 2, reorder_threshold: 5, reorder_quantity: 20 });
      const result = await pass();
      expect(result.restocked).toContainEqual({ product_id: product.id, added: 20, quantity: 22 });
      const made = result.replenishments.filter((r) => r.product_id === product.id);
      expect(made).toEqual([expect.objectContaining({ quantity: 20, received_quantity: 20, status: 'received', origin: 'automatic' })]);
      expect(await stock(product.id)).toMatchObject({ quantity: 22, incoming: 0, projected: 22, low_stock: false });
      const restocks = (await movements(product.id)).filter((m: { type: string }) => m.type === 'restock');
      expect(restocks).toEqual([expect.objectContaining({ delta: 20, quantity_after: 22, replenishment_id: made[0].id, order_id: null })]);
    });

    it('lead time > 0: one order, none more while it is open, receiving adds stock, still low → a new order next pass', async () => {
      const product = await createProduct(t.http, { stock_quantity: 1, reorder_threshold: 10, reorder_quantity: 4, lead_time_days: 3 });
      const first = (await pass()).replenishments.filter((r) => r.product_id === product.id);
      expect(first).toEqual([expect.objectContaining({ quantity: 4, received_quantity: 0, status: 'ordered', origin: 'automatic' })]);
      expect(Date.parse(first[0].expected_at!) - Date.parse(first[0].created_at)).toBe(3 * DAY_MS);
      // projected 5 is still <= 10, and nothing has arrived
      expect(await stock(product.id)).toMatchObject({ quantity: 1, incoming: 4, projected: 5, low_stock: true });
      expect((await movements(product.id)).map((m: { type: string }) => m.type)).toEqual(['initial']);

      await tick();
      expect((await pass()).replenishments.map((r) => r.product_id)).not.toContain(product.id);
      expect((await pass()).replenishments.map((r) => r.product_id)).not.toContain(product.id);
      expect(await ordersOf(product.id)).toHaveLength(1);

      const received = await t.http.post(`/replenishments/${first[0].id}/receive`).expect(200);
      expect(received.body.replenishment).toMatchObject({ status: 'received', received_quantity: 4, received_at: expect.any(String) });
      expect(await stock(product.id)).toMatchObject({ quantity: 5, incoming: 0, projected: 5 });

      await tick();
      const next = (await pass()).replenishments.filter((r) => r.product_id === product.id);
      expect(next).toEqual([expect.objectContaining({ quantity: 4, status: 'ordered' })]);
      expect(next[0].id).not.toBe(first[0].id);
      expect(await ordersOf(product.id, 'ordered')).toHaveLength(1);
    });

    it('counts manual orders as incoming: a product they lift above its threshold gets no automatic order', async () => {
      const product = await createProduct(t.http, { stock_quantity: 2, reorder_threshold: 5, reorder_quantity: 10, lead_time_days: 2 });
      await order(product.id, 4);
      expect((await pass()).replenishments.map((r) => r.product_id)).not.toContain(product.id);
      expect(await stock(product.id)).toMatchObject({ quantity: 2, incoming: 4, projected: 6, low_stock: true });
    });

    it('two passes at the same moment on one instance: one open order per product', async () => {
      const products = await Promise.all(
        Array.from({ length: 10 }, () =>
          createProduct(t.http, { stock_quantity: 0, reorder_threshold: 10, reorder_quantity: 3, lead_time_days: 1 }),
        ),
      );
      const results = await Promise.all([pass(), pass(), pass()]);
      for (const product of products) {
        expect(results.flatMap((r) => r.replenishments).filter((r) => r.product_id === product.id)).toHaveLength(1);
        expect(await ordersOf(product.id)).toHaveLength(1);
      }
    });
  });

  describe('orders by hand', () => {
    it('creates, reads and lists, newest first, filtered by status and product', async () => {
      const product = await createProduct(t.http, { stock_quantity: 5 });
      const res = await t.http
        .post('/replenishments')
        .send({ product_id: product.id, quantity: 40, expected_at: '2026-12-01T09:00:00Z', note: 'PO 118' })
        .expect(201);
      expect(res.body).toEqual({
        message: expect.any(String),
        replenishment: {
          id: expect.any(Number),
          product_id: product.id,
          quantity: 40,
          received_quantity: 0,
          status: 'ordered',
          origin: 'manual',
          expected_at: '2026-12-01T09:00:00.000Z',
          note: 'PO 118',
          created_at: expect.any(String),
          updated_at: expect.any(String),
          received_at: null,
          cancelled_at: null,
          created_by: ENV_KEY_ACTOR,
          received_by: null,
          cancelled_by: null,
        },
      });
      const first = res.body.replenishment;
      expect((await t.http.get(`/replenishments/${first.id}`).expect(200)).body).toEqual(first);
      const second = await order(product.id, 2);
      expect((await ordersOf(product.id)).map((r) => r.id)).toEqual([second.id, first.id]);
      await t.http.post(`/replenishments/${second.id}/cancel`).expect(200);
      expect((await ordersOf(product.id, 'ordered')).map((r) => r.id)).toEqual([first.id]);
      expect((await ordersOf(product.id, 'cancelled')).map((r) => r.id)).toEqual([second.id]);
      expect(await stock(product.id)).toMatchObject({ quantity: 5, incoming: 40, projected: 45 });
    });

    it('receives in parts: partially_received until all has come, each part a restock movement; stock and ledger agree', async () => {
      const product = await createProduct(t.http, { stock_quantity: 3 });
      const r = await order(product.id, 10);
      const part = await t.http.post(`/replenishments/${r.id}/receive`).send({ quantity: 4 }).expect(200);
      expect(part.body.replenishment).toMatchObject({ status: 'partially_received', received_quantity: 4 });
      expect(await stock(product.id)).toMatchObject({ quantity: 7, incoming: 6, projected: 13 });
      const rest = await t.http.post(`/replenishments/${r.id}/receive`).expect(200);
      expect(rest.body.replenishment).toMatchObject({ status: 'received', received_quantity: 10 });
      expect(await stock(product.id)).toMatchObject({ quantity: 13, incoming: 0, projected: 13, last_restocked_at: expect.any(String) });
      expect(
        (await movements(product.id)).map((m: { type: string; delta: number; replenishment_id: number | null }) => [
          m.type,
          m.delta,
          m.replenishment_id,
        ]),
      ).toEqual([
        ['restock', 6, r.id],
        ['restock', 4, r.id],
        ['initial', 3, null],
      ]);
    });

    it('refuses over-receiving, receiving a cancelled order and cancelling a received one with 409, changing nothing', async () => {
      const product = await createProduct(t.http, { stock_quantity: 0 });
      const open = await order(product.id, 5);
      await t.http.post(`/replenishments/${open.id}/receive`).send({ quantity: 2 }).expect(200);
      const over = expectProblem(await t.http.post(`/replenishments/${open.id}/receive`).send({ quantity: 4 }), 409, 'RECEIPT_EXCEEDS_DUE');
      expect(over.errors).toEqual([{ field: 'quantity', requested: 4, due: 3 }]);

      const cancelled = await order(product.id, 7);
      await t.http.post(`/replenishments/${cancelled.id}/cancel`).expect(200);
      expectProblem(await t.http.post(`/replenishments/${cancelled.id}/receive`), 409, 'REPLENISHMENT_CANCELLED');
      expectProblem(await t.http.post(`/replenishments/${cancelled.id}/cancel`), 409, 'REPLENISHMENT_CANCELLED');

      const received = await order(product.id, 1);
      await t.http.post(`/replenishments/${received.id}/receive`).expect(200);
      expectProblem(await t.http.post(`/replenishments/${received.id}/cancel`), 409, 'REPLENISHMENT_ALREADY_RECEIVED');
      expectProblem(
        await t.http.post(`/replenishments/${received.id}/receive`).send({ quantity: 1 }),
        409,
        'REPLENISHMENT_ALREADY_RECEIVED',
      );

      expect(await stock(product.id)).toMatchObject({ quantity: 3, incoming: 3 });
      expect((await t.http.get(`/replenishments/${open.id}`)).body).toMatchObject({ status: 'partially_received', received_quantity: 2 });
    });

    it('cancels what is still due of a partly received order; what came stays', async () => {
      const product = await createProduct(t.http, { stock_quantity: 0 });
      const r = await order(product.id, 8);
      await t.http.post(`/replenishments/${r.id}/receive`).send({ quantity: 3 }).expect(200);
      const res = await t.http.post(`/replenishments/${r.id}/cancel`).expect(200);
      expect(res.body.replenishment).toMatchObject({ status: 'cancelled', received_quantity: 3, cancelled_at: expect.any(String) });
      expect(await stock(product.id)).toMatchObject({ quantity: 3, incoming: 0, projected: 3 });
    });

    it.each([
      [{ quantity: 5 }, 'product_id'],
      [{ product_id: 1 }, 'quantity'],
      [{ product_id: 1, quantity: 0 }, 'quantity'],
      [{ product_id: 1, quantity: 1_000_001 }, 'quantity'],
      [{ product_id: 1, quantity: 2.5 }, 'quantity'],
      [{ product_id: 1, quantity: null }, 'quantity'],
      [{ product_id: 1, quantity: 1, expected_at: 'next week' }, 'expected_at'],
      [{ product_id: 1, quantity: 1, expected_at: '0999-01-01T00:00:00Z' }, 'expected_at'],
      [{ product_id: 1, quantity: 1, expected_at: '2026-02-30T00:00:00Z' }, 'expected_at'],
      [{ product_id: 1, quantity: 1, note: 'x'.repeat(501) }, 'note'],
      [{ product_id: 1, quantity: 1, status: 'received' }, 'status'],
      [{ product_id: 1, quantity: 1, origin: 'automatic' }, 'origin'],
    ])('refuses POST /replenishments %p with 400 naming %s', async (body, field) => {
      const before = (await t.http.get('/replenishments').query({ limit: 1 })).body.total;
      const problem = expectProblem(await t.http.post('/replenishments').send(body), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect((await t.http.get('/replenishments').query({ limit: 1 })).body.total).toBe(before);
    });

    it('answers 404 for unknown or deleted products and unknown orders, 400 for bad ids, quantities and filters', async () => {
      expectProblem(await t.http.post('/replenishments').send({ product_id: 999999, quantity: 1 }), 404, 'PRODUCT_NOT_FOUND');
      const gone = await createProduct(t.http);
      await t.http.delete(`/products/${gone.id}`).expect(200);
      expectProblem(await t.http.post('/replenishments').send({ product_id: gone.id, quantity: 1 }), 404, 'PRODUCT_NOT_FOUND');
      for (const path of ['/replenishments/999999', '/replenishments/999999/receive', '/replenishments/999999/cancel']) {
        const res = path.endsWith('999999') ? await t.http.get(path) : await t.http.post(path);
        expectProblem(res, 404, 'REPLENISHMENT_NOT_FOUND');
      }
      expectProblem(await t.http.get('/replenishments/abc'), 400, 'INVALID_ID');
      expectProblem(await t.http.post('/replenishments/0/receive'), 400, 'INVALID_ID');
      const product = await createProduct(t.http, { stock_quantity: 0 });
      const r = await order(product.id, 3);
      for (const body of [{ quantity: 0 }, { quantity: -1 }, { quantity: null }, { quantity: '2' }, { units: 2 }]) {
        expectProblem(await t.http.post(`/replenishments/${r.id}/receive`).send(body), 400, 'VALIDATION_FAILED');
      }
      expectProblem(await t.http.get('/replenishments').query({ status: 'shipped' }), 400, 'VALIDATION_FAILED');
      expectProblem(await t.http.get('/replenishments').query({ product_id: 'x' }), 400, 'VALIDATION_FAILED');
      expect(await stock(product.id)).toMatchObject({ quantity: 0, incoming: 3 });
    });

    it('10 parallel receipts of one unit for an order of 5: exactly 5 succeed, stock rises by 5', async () => {
      const product = await createProduct(t.http, { stock_quantity: 0 });
      const r = await order(product.id, 5);
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => t.http.post(`/replenishments/${r.id}/receive`).send({ quantity: 1 })),
      );
      expect(statuses(responses)).toEqual({ 200: 5, 409: 5 });
      expect(await stock(product.id)).toMatchObject({ quantity: 5, incoming: 0 });
      expect((await t.http.get(`/replenishments/${r.id}`)).body).toMatchObject({ status: 'received', received_quantity: 5 });
    });

    it('a receipt and a cancel racing: exactly one wins', async () => {
      const product = await createProduct(t.http, { stock_quantity: 0 });
      const r = await order(product.id, 4);
      const [received, cancelled] = await Promise.all([
        t.http.post(`/replenishments/${r.id}/receive`),
        t.http.post(`/replenishments/${r.id}/cancel`),
      ]);
      expect([received.status, cancelled.status].sort()).toEqual([200, 409]);
      expect((await stock(product.id)).quantity).toBe(received.status === 200 ? 4 : 0);
    });
  });

  it('publishes replenishment.created, .received and .cancelled in the transactions of the changes', async () => {
    const lastId = async () => Number((await dataSource.query('SELECT COALESCE(MAX(id), 0) AS id FROM events'))[0].id);
    const product = await createProduct(t.http, { stock_quantity: 0 });
    const before = await lastId();
    const r = await order(product.id, 6);
    await t.http.post(`/replenishments/${r.id}/receive`).send({ quantity: 2 }).expect(200);
    await t.http.post(`/replenishments/${r.id}/cancel`).expect(200);
    const events: { type: string; subject_type: string; subject_id: number; data: string }[] = await dataSource.query(
      'SELECT type, subject_type, subject_id, data FROM events WHERE id > ? ORDER BY id',
      [before],
    );
    expect(events.map((e) => [e.type, e.subject_type, Number(e.subject_id)])).toEqual([
      ['replenishment.created', 'replenishment', r.id],
      ['stock.changed', 'product', product.id],
      ['replenishment.received', 'replenishment', r.id],
      ['replenishment.cancelled', 'replenishment', r.id],
    ]);
    expect(JSON.parse(events[1].data)).toMatchObject({
      type: 'restock',
      delta: 2,
      replenishment_id: r.id,
      product_id: product.id,
      quantity: 2,
    });
    expect(JSON.parse(events[2].data)).toMatchObject({ id: r.id, status: 'partially_received', received_quantity: 2, received_now: 2 });
    expect(JSON.parse(events[3].data)).toMatchObject({ id: r.id, status: 'cancelled', received_quantity: 2 });
    expectProblem(await t.http.post(`/replenishments/${r.id}/cancel`), 409, 'REPLENISHMENT_CANCELLED');
    expect(await lastId()).toBe(before + 4);
  });

  describe('the demand policy', () => {
    let customerId: number;
    beforeAll(async () => (customerId = (await createCustomer(t.http)).id));

    /** Noon UTC `daysAgo` calendar days before today, as both engines' DATETIME columns take it. */
    const noon = (daysAgo: number) => {
      const now = new Date();
      return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo, 12))
        .toISOString()
        .replace('T', ' ')
        .replace('Z', '');
    };
    /** Moves an order's (or its cancel's) ledger row back in time: the sales history, through the ledger itself. */
    const backdate = (orderId: number, type: 'order' | 'cancel', daysAgo: number) =>
      dataSource.query("UPDATE stock_movements SET created_at = ? WHERE reference_type = 'order' AND reference_id = ? AND type = ?", [
        noon(daysAgo),
        orderId,
        type,
      ]);
    const sell = async (productId: number, quantity: number, daysAgo: number) => {
      const placed = await placeOrder(t.http, customerId, [{ product_id: productId, quantity }]);
      await backdate(placed.id, 'order', daysAgo);
      return placed.id;
    };
    const cancel = async (orderId: number, daysAgo: number) => {
      await t.http.post(`/orders/${orderId}/cancel`).expect(200);
      await backdate(orderId, 'cancel', daysAgo);
    };

    it('learns the threshold and quantity the formula gives from a synthetic sales history, cancels netted out', async () => {
      const product = await createProduct(t.http, {
        stock_quantity: 116,
        reorder_policy: 'demand',
        lead_time_days: 3,
        service_level: 0.95,
        cover_days: 14,
      });
      // 4 units on 14 days of the 28-day window: today, every other day back to 24 days ago, and the window's first day
      for (const day of [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 27]) await sell(product.id, 4, day);
      // cancelled the same day: nets to nothing
      await cancel(await sell(product.id, 2, 2), 2);
      // cancelled two days later: +3 on its day, −3 on the cancel's (days without other sales)
      await cancel(await sell(product.id, 3, 9), 7);
      // before the window
      await sell(product.id, 50, 28);
      // Σx = 56, Σx² = 14·16 + 9 + 9 = 242 over N = 28 days: d = 2, σ² = (28·242 − 56²) / 28² = 4.642857, σ = 2.154729
      // threshold = ceil(d·3 + 1.644854·σ·√3) = ceil(6 + 6.138758) = 13; quantity = ceil(2 · 14) = 28
      expect(await stock(product.id)).toMatchObject({ quantity: 10, demand: { window_days: 28, daily_mean: 2, daily_stddev: 2.1547 } });

      const made = (await pass()).replenishments.filter((r) => r.product_id === product.id);
      expect(await stock(product.id)).toMatchObject({
        quantity: 10,
        reorder_threshold: 13,
        reorder_quantity: 28,
        incoming: 28,
        projected: 38,
        reorder_policy: 'demand',
        demand: { window_days: 28, daily_mean: 2, daily_stddev: 2.1547 },
      });
      // projected 10 <= 13: ordered the learned quantity
      expect(made).toEqual([expect.objectContaining({ quantity: 28, status: 'ordered', origin: 'automatic' })]);
    });

    it('leaves the values of a product without sales in the window alone, and shows no demand on fixed products', async () => {
      const quiet = await createProduct(t.http, {
        stock_quantity: 100,
        reorder_threshold: 7,
        reorder_quantity: 9,
        reorder_policy: 'demand',
        lead_time_days: 2,
      });
      const old = await createProduct(t.http, {
        stock_quantity: 100,
        reorder_threshold: 7,
        reorder_quantity: 9,
        reorder_policy: 'demand',
        lead_time_days: 2,
      });
      await sell(old.id, 5, 30);
      const undone = await createProduct(t.http, {
        stock_quantity: 100,
        reorder_threshold: 7,
        reorder_quantity: 9,
        reorder_policy: 'demand',
        lead_time_days: 2,
      });
      await cancel(await sell(undone.id, 5, 3), 1);
      const fixed = await createProduct(t.http, { stock_quantity: 100, reorder_threshold: 7, reorder_quantity: 9, lead_time_days: 2 });
      await sell(fixed.id, 5, 1);

      await pass();
      for (const product of [quiet, old, undone, fixed]) {
        expect(await stock(product.id)).toMatchObject({ reorder_threshold: 7, reorder_quantity: 9, incoming: 0 });
      }
      expect((await stock(quiet.id)).demand).toEqual({ window_days: 28, daily_mean: 0, daily_stddev: 0 });
      expect(await stock(fixed.id)).not.toHaveProperty('demand');
    });
  });

  it('after a scripted month of orders, cancels, replenishments and receipts, stock, ledger and incoming agree', async () => {
    let seed = 12;
    // a small deterministic generator (LCG): the same month on every run
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const customer = await createCustomer(t.http);
    const products = await Promise.all(
      [0, 2, 5].flatMap((lead) => [
        createProduct(t.http, { stock_quantity: 20, reorder_threshold: 8, reorder_quantity: 12, lead_time_days: lead }),
        createProduct(t.http, {
          stock_quantity: 20,
          reorder_threshold: 8,
          reorder_quantity: 6,
          lead_time_days: lead,
          reorder_policy: 'demand',
          cover_days: 3,
        }),
      ]),
    );
    const pending: number[] = [];
    for (let day = 0; day < 30; day++) {
      for (let i = random(4); i > 0; i--) {
        const product = products[random(products.length)];
        const res = await t.http
          .post('/orders')
          .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 + random(5) }] });
        expect([201, 409]).toContain(res.status);
        if (res.status === 201) pending.push(res.body.order.id);
      }
      if (pending.length && random(3) === 0)
        await t.http.post(`/orders/${pending.splice(random(pending.length), 1)[0]}/cancel`).expect(200);
      if (random(4) === 0) await order(products[random(products.length)].id, 1 + random(10));
      await tick();
      await pass();
      const open = await Promise.all(
        products.map(async (p) => [...(await ordersOf(p.id, 'ordered')), ...(await ordersOf(p.id, 'partially_received'))]),
      );
      for (const r of open.flat()) {
        const due = r.quantity - r.received_quantity;
        const roll = random(6);
        if (roll === 0) await t.http.post(`/replenishments/${r.id}/cancel`).expect(200);
        else if (roll === 1)
          await t.http
            .post(`/replenishments/${r.id}/receive`)
            .send({ quantity: 1 + random(due) })
            .expect(200);
        else if (roll === 2) await t.http.post(`/replenishments/${r.id}/receive`).expect(200);
      }
    }
    for (const product of products) {
      const open = [...(await ordersOf(product.id, 'ordered')), ...(await ordersOf(product.id, 'partially_received'))];
      const level = await stock(product.id);
      expect(level.incoming).toBe(open.reduce((sum, r) => sum + r.quantity - r.received_quantity, 0));
      expect(level.projected).toBe(level.quantity + level.incoming);
      const ledger = await movements(product.id);
      expect(ledger.reduce((sum: number, m: { delta: number }) => sum + m.delta, 0)).toBe(level.quantity);
      expect(open.filter((r) => r.origin === 'automatic').length).toBeLessThanOrEqual(1);
    }
    const receipts = await dataSource.query("SELECT COUNT(*) AS n FROM stock_movements WHERE reference_type = 'replenishment'");
    expect(Number(receipts[0].n)).toBeGreaterThan(10);
  });
});

// Two servers on one database only share state on MariaDB (each SQLite test app has its own memory database).
(onMysql ? describe : describe.skip)('Replenishment with two instances sharing one MariaDB database (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startApp({ env: { DB_POOL_SIZE: '20' } });
    b = await startApp({ database: a.database, reuse: true, env: { DB_POOL_SIZE: '20' } });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('both running the pass at the same moment, 50 low products: exactly one open order each, also on the passes after', async () => {
    const products = await Promise.all(
      // still low after one order (projected 5 <= 10): only the one-open-order rule stops a second
      Array.from({ length: 50 }, () =>
        createProduct(a.http, { stock_quantity: 0, reorder_threshold: 10, reorder_quantity: 5, lead_time_days: 2 }),
      ),
    );
    const ids = new Set(products.map((p) => p.id));
    const runs = await Promise.all([a.app.get(ReplenishmentService).replenish(), b.app.get(ReplenishmentService).replenish()]);
    expect(runs.flatMap((r) => r.replenishments).filter((r) => ids.has(r.product_id))).toHaveLength(50);
    await Promise.all([a.app.get(ReplenishmentService).replenish(), b.app.get(ReplenishmentService).replenish()]);
    const rows: { product_id: number; n: number | string }[] = await a.app
      .get(DataSource)
      .query("SELECT product_id, COUNT(*) AS n FROM replenishments WHERE status = 'ordered' AND origin = 'automatic' GROUP BY product_id");
    const counts = new Map(rows.map((r) => [Number(r.product_id), Number(r.n)]));
    for (const product of products) expect(counts.get(product.id)).toBe(1);
    for (const product of products) {
      expect((await b.http.get(`/products/${product.id}/stock`).expect(200)).body).toMatchObject({
        quantity: 0,
        incoming: 5,
        projected: 5,
      });
    }
    expect(await incomingMismatches(a.app.get(DataSource))).toEqual([]);
  });
});
