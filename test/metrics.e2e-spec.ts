import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource, QueryRunner } from 'typeorm';
import { EventRelay } from '../src/events/event-relay';
import { poolUse } from '../src/platform/metrics/database-pool';
import { REFRESH_TIMEOUT_MS } from '../src/platform/metrics/metrics-registry';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher';
import { engine, onMysql, startApp, TestApp } from './support/app';
import { createCustomer, createProduct, expectProblem, loggedInCustomer } from './support/factories';
import { parseScrape, Scrape, scrape } from './support/metrics';
import { startReceiver, waitFor, type Receiver } from './support/webhook-receiver';

const METRICS_TOKEN = 'metrics-e2e-token-0123456789abcdef01234567';

/** Every series the app adds to the process's (README, Operations → Metrics). */
const APP_SERIES = [
  'http_request_duration_seconds',
  'orders_placed_total',
  'orders_refused_total',
  'restock_passes_total',
  'restock_pass_failures_total',
  'replenishments_created_total',
  'replenishment_receipts_total',
  'replenishments_cancelled_total',
  'outbox_backlog_events',
  'outbox_oldest_event_age_seconds',
  'webhook_deliveries_total',
];
const POOL_SERIES = ['db_pool_connections', 'db_pool_waiting_requests', 'db_pool_max_connections'];

const requests = (route: string, method: string, status: number) =>
  ['http_request_duration_seconds_count', { method, route, status: String(status) }] as const;

describe(`Metrics on ${engine} (e2e)`, () => {
  let t: TestApp;
  let scraper: TestAgent;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    t = await startApp({ env: { METRICS_TOKEN, WEBHOOK_RETRY_SCHEDULE: '100ms' } });
    scraper = request.agent(t.url).set('Authorization', `Bearer ${METRICS_TOKEN}`);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  describe('the scrape', () => {
    it('is the Prometheus text format with the process series and every series of the app', async () => {
      const res = await scraper.get('/metrics').expect(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      const metrics = parseScrape(res.text);
      for (const name of ['process_resident_memory_bytes', 'process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']) {
        expect([name, metrics.value(name)]).toEqual([name, expect.any(Number)]);
      }
      expect(res.text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
      for (const name of APP_SERIES) expect(res.text).toContain(`# TYPE ${name} `);
      // counters start at 0 for every label value, so that the first increase is seen
      expect(metrics.value('orders_refused_total', { reason: 'insufficient_stock' })).toBe(0);
      expect(metrics.value('webhook_deliveries_total', { result: 'failed' })).toBe(0);
      expect(metrics.value('replenishments_created_total', { origin: 'manual' })).toBe(0);
    });

    it('opens to METRICS_TOKEN and to an API key; anyone else gets 401, a customer 403', async () => {
      await t.http.get('/metrics').expect(200);
      await scraper.get('/metrics').expect(200);
      expectProblem(await t.anon.get('/metrics'), 401, 'UNAUTHORIZED');
      expectProblem(await t.anon.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}0`), 401, 'UNAUTHORIZED');
      expectProblem(await t.anon.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN.slice(1)}`), 401, 'UNAUTHORIZED');
      expectProblem(await t.anon.get('/metrics').set('X-API-Key', METRICS_TOKEN), 401, 'UNAUTHORIZED');
      const { token } = await loggedInCustomer(t.http);
      expectProblem(await t.as(token).get('/metrics'), 403, 'FORBIDDEN');
    });

    it('opens no other route to METRICS_TOKEN', async () => {
      expectProblem(await scraper.get('/orders'), 401, 'UNAUTHORIZED');
      expectProblem(await scraper.get('/events'), 401, 'UNAUTHORIZED');
    });
  });

  describe('request durations', () => {
    it('are counted by route pattern and status, never by the URL asked for', async () => {
      const product = await createProduct(t.http);
      const before = await scrape(scraper);
      await t.anon.get(`/products/${product.id}`).expect(200);
      await t.anon.get(`/products/${product.id}`).expect(200);
      await t.anon.get('/products/999999999').expect(404);
      await t.anon.get('/no/such/route').expect(404);
      await t.anon.get('/products/%E0%A4%A').expect(400);
      const after = await scrape(scraper);

      expect(after.since(before, ...requests('/products/:id', 'GET', 200))).toBe(2);
      expect(after.since(before, ...requests('/products/:id', 'GET', 404))).toBe(1);
      expect(after.since(before, ...requests('unmatched', 'GET', 404))).toBe(1);
      expect(after.since(before, ...requests('unmatched', 'GET', 400))).toBe(1);
      // the previous scrape is counted by the time the next one is written
      expect(after.since(before, ...requests('/metrics', 'GET', 200))).toBe(1);
      expect(after.text).not.toContain(`/products/${product.id}"`);
      expect(after.text).not.toContain('/no/such/route');
      const sum = after.value('http_request_duration_seconds_sum', { method: 'GET', route: '/products/:id', status: '200' })!;
      expect(sum).toBeGreaterThan(0);
      expect(sum).toBeLessThan(60);
    });
  });

  describe('orders', () => {
    it('counts an order placed and one refused for stock once each, replays of either not again, other refusals not at all', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 3 });
      const order = (quantity: number, key: string) =>
        t.http
          .post('/orders')
          .set('Idempotency-Key', key)
          .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity }] });
      const before = await scrape(scraper);

      await order(2, `placed-${product.id}`).expect(201);
      await order(2, `placed-${product.id}`).expect(201).expect('Idempotent-Replayed', 'true');
      expectProblem(await order(5, `refused-${product.id}`), 409, 'INSUFFICIENT_STOCK');
      expectProblem(await order(5, `refused-${product.id}`), 409, 'INSUFFICIENT_STOCK');
      expectProblem(
        await order(1, `unknown-${product.id}`).send({ customer_id: customer.id, items: [{ product_id: 999999999, quantity: 1 }] }),
        404,
      );
      const after = await scrape(scraper);

      expect(after.since(before, 'orders_placed_total')).toBe(1);
      expect(after.since(before, 'orders_refused_total', { reason: 'insufficient_stock' })).toBe(1);
      expect(after.since(before, ...requests('/orders', 'POST', 201))).toBe(2);
      expect(after.since(before, ...requests('/orders', 'POST', 409))).toBe(2);
      expect(after.since(before, ...requests('/orders', 'POST', 404))).toBe(1);
    });

    it('counts every one of 30 parallel orders for a stock of 12 once: 12 placed, 18 refused', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 12 });
      const before = await scrape(scraper);
      const answers = await Promise.all(
        Array.from({ length: 30 }, () =>
          t.http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
        ),
      );
      const after = await scrape(scraper);

      expect(answers.filter((a) => a.status === 201)).toHaveLength(12);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(18);
      expect(after.since(before, 'orders_placed_total')).toBe(12);
      expect(after.since(before, 'orders_refused_total', { reason: 'insufficient_stock' })).toBe(18);
      expect(after.since(before, ...requests('/orders', 'POST', 201))).toBe(12);
    });
  });

  describe('replenishment', () => {
    it('counts the restock pass and the automatic orders it created and received', async () => {
      const now = await createProduct(t.http, { stock_quantity: 1, reorder_threshold: 5, reorder_quantity: 10 });
      const later = await createProduct(t.http, { stock_quantity: 0, reorder_threshold: 2, reorder_quantity: 4, lead_time_days: 3 });
      const before = await scrape(scraper);
      const pass = (await t.http.post('/inventory/restock').expect(200)).body as {
        restocked: { product_id: number }[];
        replenishments: { id: number; product_id: number }[];
      };
      const after = await scrape(scraper);

      expect(pass.restocked.map((r) => r.product_id)).toContain(now.id);
      expect(pass.replenishments.map((r) => r.product_id)).toEqual(expect.arrayContaining([now.id, later.id]));
      expect(after.since(before, 'restock_passes_total')).toBe(1);
      expect(after.since(before, 'restock_pass_failures_total')).toBe(0);
      expect(after.since(before, 'replenishments_created_total', { origin: 'automatic' })).toBe(pass.replenishments.length);
      expect(after.since(before, 'replenishment_receipts_total', { origin: 'automatic' })).toBe(pass.restocked.length);
      expect(after.since(before, 'replenishments_created_total', { origin: 'manual' })).toBe(0);

      // the lead-time order, received by hand later
      const open = pass.replenishments.find((r) => r.product_id === later.id)!;
      await t.http.post(`/replenishments/${open.id}/receive`).send({}).expect(200);
      expect((await scrape(scraper)).since(after, 'replenishment_receipts_total', { origin: 'automatic' })).toBe(1);
    });

    it('counts manual orders created, each receipt and the cancel, and no refused step', async () => {
      const product = await createProduct(t.http, { stock_quantity: 0 });
      const before = await scrape(scraper);
      const { id } = (await t.http.post('/replenishments').send({ product_id: product.id, quantity: 5 }).expect(201)).body.replenishment;
      await t.http.post(`/replenishments/${id}/receive`).send({ quantity: 2 }).expect(200);
      await t.http.post(`/replenishments/${id}/receive`).send({ quantity: 1 }).expect(200);
      expectProblem(await t.http.post(`/replenishments/${id}/receive`).send({ quantity: 10 }), 409, 'RECEIPT_EXCEEDS_DUE');
      await t.http.post(`/replenishments/${id}/cancel`).expect(200);
      expectProblem(await t.http.post(`/replenishments/${id}/cancel`), 409, 'REPLENISHMENT_CANCELLED');
      expectProblem(await t.http.post('/replenishments').send({ product_id: 999999999, quantity: 1 }), 404);
      const after = await scrape(scraper);

      expect(after.since(before, 'replenishments_created_total', { origin: 'manual' })).toBe(1);
      expect(after.since(before, 'replenishment_receipts_total', { origin: 'manual' })).toBe(2);
      expect(after.since(before, 'replenishments_cancelled_total', { origin: 'manual' })).toBe(1);
      expect(after.since(before, 'replenishments_created_total', { origin: 'automatic' })).toBe(0);
      expect(after.since(before, 'restock_passes_total')).toBe(0);
    });
  });

  describe('webhook deliveries', () => {
    it('counts each recorded attempt by result: delivered, retrying, failed', async () => {
      const relay = t.app.get(EventRelay);
      const dispatcher = t.app.get(WebhookDispatcher);
      // the webhooks destination catches up first: what earlier tests did reaches no endpoint registered below
      await relay.runOnce();
      const good = await startReceiver(() => 204);
      const bad = await startReceiver(() => 500);
      const gone = await startReceiver(() => 410);
      receivers.push(good, bad, gone);
      for (const receiver of [good, bad, gone]) {
        await t.http
          .post('/webhooks')
          .send({ url: receiver.url, event_types: ['customer.created'] })
          .expect(201);
      }
      const before = await scrape(scraper);

      await createCustomer(t.http);
      // bad: 500, then 500 again after the one 100 ms retry, then failed; gone: 410, failed at once
      await waitFor('every delivery to end', async () => {
        await relay.runOnce();
        await dispatcher.runOnce();
        await dispatcher.idle();
        return good.received.length === 1 && bad.received.length === 2 && gone.received.length === 1;
      });
      const after = await scrape(scraper);

      expect(after.since(before, 'webhook_deliveries_total', { result: 'delivered' })).toBe(1);
      expect(after.since(before, 'webhook_deliveries_total', { result: 'retrying' })).toBe(1);
      expect(after.since(before, 'webhook_deliveries_total', { result: 'failed' })).toBe(2);
    });
  });

  describe('the outbox backlog', () => {
    const backlog = (s: Scrape) => [s.value('outbox_backlog_events'), s.value('outbox_oldest_event_age_seconds')];

    it('counts events the relay has not stamped yet, and the age of the oldest', async () => {
      const relay = t.app.get(EventRelay);
      await relay.runOnce();
      expect(backlog(await scrape(scraper))).toEqual([0, 0]);

      await createCustomer(t.http);
      await createCustomer(t.http);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const [events, age] = backlog(await scrape(scraper));
      expect(events).toBe(2);
      expect(age).toBeGreaterThanOrEqual(1);
      expect(age).toBeLessThan(30);

      await relay.runOnce();
      expect(backlog(await scrape(scraper))).toEqual([0, 0]);
    });

    it('counts the events a destination that is behind has not taken, until it catches up', async () => {
      const relay = t.app.get(EventRelay);
      await relay.runOnce();
      let up = false;
      relay.registerSink({
        name: 'metrics-test',
        deliver: async () => {
          if (!up) throw new Error('the destination is down');
        },
      });
      // the new destination has taken nothing: every event so far waits for it
      let all = 0;
      let cursor: string | undefined;
      for (;;) {
        const page = (
          await t.http
            .get('/events')
            .query({ limit: 1000, ...(cursor && { after: cursor }) })
            .expect(200)
        ).body;
        if (!page.items.length) break;
        all += page.items.length;
        cursor = page.next_cursor;
      }
      let metrics = await scrape(scraper);
      expect(metrics.value('outbox_backlog_events')).toBe(all);
      expect(metrics.value('outbox_oldest_event_age_seconds')).toBeGreaterThan(0);

      await createCustomer(t.http);
      await expect(relay.runOnce()).rejects.toThrow('the destination is down');
      metrics = await scrape(scraper);
      expect(metrics.value('outbox_backlog_events')).toBe(all + 1);

      up = true;
      await relay.runOnce();
      expect(backlog(await scrape(scraper))).toEqual([0, 0]);
    });
  });

  describe('the database pool', () => {
    if (!onMysql) {
      it('has no series on SQLite, which has no pool', async () => {
        const metrics = await scrape(scraper);
        for (const name of POOL_SERIES) expect([name, metrics.has(name)]).toEqual([name, false]);
      });
      return;
    }

    it('shows the connections in use, idle, and the pool size', async () => {
      const dataSource = t.app.get(DataSource);
      const before = await scrape(scraper);
      const held: QueryRunner[] = [];
      for (let i = 0; i < 2; i++) {
        held.push(dataSource.createQueryRunner());
        await held.at(-1)!.connect();
      }
      const holding = await scrape(scraper);
      await Promise.all(held.map((runner) => runner.release()));

      expect(before.value('db_pool_max_connections')).toBe(10);
      expect(holding.since(before, 'db_pool_connections', { state: 'in_use' })).toBe(2);
      expect(holding.value('db_pool_waiting_requests')).toBe(0);
      const open = holding.value('db_pool_connections', { state: 'in_use' })! + holding.value('db_pool_connections', { state: 'idle' })!;
      expect(open).toBeLessThanOrEqual(10);
    });

    describe('with every connection taken', () => {
      let small: TestApp;
      beforeAll(async () => {
        small = await startApp({
          env: { METRICS_TOKEN, DB_POOL_SIZE: '3', IDEMPOTENCY_PURGE_ENABLED: 'false', EVENTS_PURGE_ENABLED: 'false' },
        });
      });
      afterAll(() => small.close());

      it('still answers, with the pool saturated and without the outbox series it could not read', async () => {
        const dataSource = small.app.get(DataSource);
        const held: QueryRunner[] = [];
        for (let i = 0; i < 3; i++) {
          held.push(dataSource.createQueryRunner());
          await held.at(-1)!.connect();
        }
        try {
          const waiting = small.anon.get('/products').then((res) => res.status);
          await waitFor(
            'a request to wait for a connection',
            () => poolUse((dataSource.driver as unknown as { pool: unknown }).pool)?.waiting === 1,
          );
          const started = Date.now();
          const metrics = await scrape(request.agent(small.url).set('Authorization', `Bearer ${METRICS_TOKEN}`));
          const took = Date.now() - started;

          expect(took).toBeGreaterThanOrEqual(REFRESH_TIMEOUT_MS - 50);
          expect(took).toBeLessThan(REFRESH_TIMEOUT_MS + 2000);
          expect(metrics.value('db_pool_connections', { state: 'in_use' })).toBe(3);
          expect(metrics.value('db_pool_connections', { state: 'idle' })).toBe(0);
          // the request, and the scrape's own outbox read, which it gave up on
          expect(metrics.value('db_pool_waiting_requests')).toBe(2);
          expect(metrics.has('outbox_backlog_events')).toBe(false);
          expect(metrics.has('outbox_oldest_event_age_seconds')).toBe(false);
          await Promise.all(held.map((runner) => runner.release()));
          expect(await waiting).toBe(200);
        } finally {
          await Promise.all(held.map((runner) => (runner.isReleased ? undefined : runner.release())));
        }
      });
    });
  });
});

describe('Metrics and the rate limit (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { METRICS_TOKEN, RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(() => t.close());

  it('does not limit the scraper with METRICS_TOKEN, nor count it; anyone else on the route, or the token elsewhere, is', async () => {
    const scraper = request.agent(t.url).set('Authorization', `Bearer ${METRICS_TOKEN}`);
    for (let i = 0; i < 10; i++) {
      const res = await scraper.get('/metrics').expect(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
    // ten scrapes later, this address still has its whole anonymous budget on the route (the limit counts per route)
    const first = await t.anon.get('/metrics');
    expectProblem(first, 401, 'UNAUTHORIZED');
    expect(first.headers['ratelimit-remaining']).toBe('2');
    expectProblem(await t.anon.get('/metrics').set('Authorization', 'Bearer a-guessed-token'), 401, 'UNAUTHORIZED');
    expectProblem(await t.anon.get('/metrics').set('Authorization', 'Bearer another-guess'), 401, 'UNAUTHORIZED');
    expectProblem(await t.anon.get('/metrics').set('Authorization', 'Bearer a-third-guess'), 429, 'RATE_LIMITED');
    // elsewhere the token is nobody's, counted as anyone's
    for (let i = 0; i < 3; i++) expectProblem(await scraper.get('/orders'), 401, 'UNAUTHORIZED');
    expectProblem(await scraper.get('/orders'), 429, 'RATE_LIMITED');
    await scraper.get('/metrics').expect(200);
  });
});
