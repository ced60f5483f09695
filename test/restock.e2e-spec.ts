import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { MAX_STOCK } from '../src/common/limits';
import { ReplenishmentService } from '../src/replenishment/replenishment.service';
import { JobScheduler, TickOutcome } from '../src/scheduling/job-scheduler';
import { RestockJob } from '../src/scheduling/restock.job';
import { createProduct } from './support/factories';
import { unbalancedProducts } from './support/ledger';
import { onMysql, startApp, TestApp } from './support/app';

const restockCount = async (t: TestApp, productId: number) =>
  (await t.http.get(`/products/${productId}/stock/movements`).query({ limit: 100 }).expect(200)).body.items.filter(
    (m: { type: string }) => m.type === 'restock',
  ).length;

describe('Restocking (e2e)', () => {
  describe('POST /inventory/restock', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startApp()));
    afterAll(() => t.close());

    it('restocks each low product by its reorder_quantity and reports what it did', async () => {
      const low = await createProduct(t.http, { stock_quantity: 1, reorder_threshold: 5, reorder_quantity: 20 });
      const fine = await createProduct(t.http, { stock_quantity: 50, reorder_threshold: 5, reorder_quantity: 20 });
      const manual = await createProduct(t.http, { stock_quantity: 0, reorder_threshold: 5, reorder_quantity: 0 });

      const res = await t.http.post('/inventory/restock').expect(200);
      expect(res.body.restocked).toEqual(expect.arrayContaining([{ product_id: low.id, added: 20, quantity: 21 }]));
      expect(res.body.restocked.map((r: { product_id: number }) => r.product_id)).not.toEqual(expect.arrayContaining([fine.id]));
      expect(res.body.restocked.map((r: { product_id: number }) => r.product_id)).not.toEqual(expect.arrayContaining([manual.id]));

      const stock = (await t.http.get(`/products/${low.id}/stock`)).body;
      expect(stock).toMatchObject({ quantity: 21, low_stock: false, last_restocked_at: expect.any(String) });
      expect((await t.http.get(`/products/${low.id}/stock/movements`)).body.items[0]).toMatchObject({
        type: 'restock',
        delta: 20,
        quantity_after: 21,
      });
      expect((await t.http.get(`/products/${manual.id}/stock`)).body.quantity).toBe(0);

      // no longer low: a second pass leaves it alone
      expect(
        (await t.http.post('/inventory/restock').expect(200)).body.restocked.map((r: { product_id: number }) => r.product_id),
      ).not.toContain(low.id);
      expect(await restockCount(t, low.id)).toBe(1);
      expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]);
    });

    it('adds a reorder_quantity only where all of it fits under MAX_STOCK; the others wait, still low', async () => {
      const fits = await createProduct(t.http, { stock_quantity: MAX_STOCK - 10, reorder_threshold: MAX_STOCK, reorder_quantity: 10 });
      const full = await createProduct(t.http, { stock_quantity: MAX_STOCK - 5, reorder_threshold: MAX_STOCK, reorder_quantity: 10 });

      const restocked = (await t.http.post('/inventory/restock').expect(200)).body.restocked;
      expect(restocked).toEqual(expect.arrayContaining([{ product_id: fits.id, added: 10, quantity: MAX_STOCK }]));
      expect(restocked.map((r: { product_id: number }) => r.product_id)).not.toContain(full.id);
      expect((await t.http.get(`/products/${full.id}/stock`)).body).toMatchObject({ quantity: MAX_STOCK - 5, low_stock: true });

      // at MAX_STOCK and still at its threshold: the next pass has no room either
      expect(
        (await t.http.post('/inventory/restock').expect(200)).body.restocked.map((r: { product_id: number }) => r.product_id),
      ).not.toContain(fits.id);
      expect((await t.http.get(`/products/${fits.id}/stock`)).body.quantity).toBe(MAX_STOCK);
      expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]);
    });
  });

  describe('the scheduled job', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startApp({ env: { RESTOCK_ENABLED: 'true', RESTOCK_CRON: '* * * * * *' } })));
    afterAll(() => t.close());

    it('restocks a low product by itself within a few seconds, once', async () => {
      const product = await createProduct(t.http, { stock_quantity: 2, reorder_threshold: 3, reorder_quantity: 10 });
      const deadline = Date.now() + 5000;
      while ((await t.http.get(`/products/${product.id}/stock`)).body.quantity === 2 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await t.http.get(`/products/${product.id}/stock`)).body.quantity).toBe(12);
      await new Promise((resolve) => setTimeout(resolve, 1200)); // another tick passes
      expect(await restockCount(t, product.id)).toBe(1);
    });
  });

  // Two servers on one database only share state on MariaDB (each SQLite test app has its own memory database).
  (onMysql ? describe : describe.skip)('two instances sharing one MariaDB database', () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      a = await startApp();
      b = await startApp({ database: a.database, reuse: true });
    });
    afterAll(async () => {
      await b.close();
      await a.close();
    });

    it('restock each low product exactly once when both run the pass at the same moment', async () => {
      const products = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          createProduct(a.http, { stock_quantity: 0, reorder_threshold: 10, reorder_quantity: i % 2 ? 25 : 4 }),
        ),
      );
      const [fromA, fromB] = await Promise.all([a.app.get(ReplenishmentService).replenish(), b.app.get(ReplenishmentService).replenish()]);
      expect(fromA.restocked.length + fromB.restocked.length).toBe(20);
      for (const product of products) {
        expect(await restockCount(a, product.id)).toBe(1);
        expect((await b.http.get(`/products/${product.id}/stock`)).body.quantity).toBe(product.reorder_quantity);
      }
      expect(await unbalancedProducts(a.app.get(DataSource))).toEqual([]);
    });
  });

  (onMysql ? describe : describe.skip)('the scheduled job on two instances sharing one MariaDB database', () => {
    // every other second: a pass of 10 products fits in a tick even on a loaded machine (a pass still running when
    // the other instance's next one starts shares its products with it, which is right but not what is counted here)
    const everyOtherSecond = { RESTOCK_ENABLED: 'true', RESTOCK_CRON: '*/2 * * * * *' };
    let setup: TestApp;
    const instances: TestApp[] = [];
    beforeAll(async () => (setup = await startApp())); // makes the database; its own scheduler is off
    afterAll(async () => {
      jest.restoreAllMocks();
      for (const instance of instances) await instance.close();
      await setup.close();
    });

    it('restocks each product exactly once per tick, never twice, with the schedulers 0-300 ms apart', async () => {
      // low, and still low after each restock: every tick's pass restocks every one of them
      const products = await Promise.all(
        Array.from({ length: 10 }, () => createProduct(setup.http, { stock_quantity: 0, reorder_threshold: 1000, reorder_quantity: 5 })),
      );
      const a = await startApp({ database: setup.database, reuse: true, env: everyOtherSecond });
      instances.push(a);
      const schedulerA = a.app.get(JobScheduler);
      // on each tick one of the two, drawn at random, fires 0-300 ms after the other: a signed offset per
      // second of the clock (both crons fire on the second), positive when B is the late one
      const offsets = new Map<number, number>();
      const offsetAt = (second: number) => offsets.get(second) ?? offsets.set(second, Math.floor(Math.random() * 601) - 300).get(second)!;
      const outcomes: { instance: 'A' | 'B'; outcome: TickOutcome }[] = [];
      const inFlight = new Set<Promise<TickOutcome>>();
      // ticks count once both instances are up (starting one blocks this process, and so the other's timers)
      let counting = false;
      const tick = JobScheduler.prototype.tick;
      jest.spyOn(JobScheduler.prototype, 'tick').mockImplementation(function (this: JobScheduler, name, work) {
        if (!counting) return Promise.resolve('claimed-elsewhere');
        const run = (async () => {
          const instance = this === schedulerA ? 'A' : 'B';
          const offset = offsetAt(Math.round(Date.now() / 1000));
          await new Promise((resolve) => setTimeout(resolve, instance === 'B' ? Math.max(offset, 0) : Math.max(-offset, 0)));
          const outcome = await tick.call(this, name, work);
          if (name === RestockJob.NAME) outcomes.push({ instance, outcome });
          return outcome;
        })();
        inFlight.add(run);
        void run.finally(() => inFlight.delete(run));
        return run;
      });
      const b = await startApp({ database: setup.database, reuse: true, env: everyOtherSecond });
      instances.push(b);

      // switched on and off half-way between two ticks, so that both instances see the same ticks
      const halfSecondLater = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms + 1500 - ((Date.now() + ms) % 1000)));
      await halfSecondLater(500);
      counting = true;
      await halfSecondLater(6000);
      counting = false;
      // stop() waits for a tick still running (waitForCompletion)
      await Promise.all([a, b].map((instance) => instance.app.get(SchedulerRegistry).getCronJob(RestockJob.NAME).stop()));
      await Promise.all(inFlight);

      const db = setup.app.get(DataSource);
      const [{ ticks }] = await db.query(`SELECT COUNT(DISTINCT tick) AS ticks FROM job_claims WHERE job_name = ?`, [RestockJob.NAME]);
      const rows: { product_id: number; restocks: number | string }[] = await db.query(
        `SELECT product_id, COUNT(*) AS restocks FROM stock_movements WHERE type = 'restock' GROUP BY product_id`,
      );
      const restocks = new Map(rows.map((row) => [Number(row.product_id), Number(row.restocks)]));
      const ran = (instance: string) => outcomes.filter((o) => o.instance === instance && o.outcome === 'ran').length;
      const elsewhere = outcomes.filter((o) => o.outcome === 'claimed-elsewhere').length;
      console.log(
        `two instances, ${Number(ticks)} ticks claimed: A ran ${ran('A')}, B ran ${ran('B')}, ${elsewhere} found claimed elsewhere, ` +
          `${outcomes.filter((o) => o.outcome === 'failed').length} failed; offsets of B from A (ms): ${[...offsets.values()].join(', ')}; ` +
          `restocks per product: ${products.map((p) => restocks.get(p.id) ?? 0).join(', ')}`,
      );

      expect(Number(ticks)).toBeGreaterThanOrEqual(3);
      expect(ran('A') + ran('B')).toBe(Number(ticks)); // one pass per tick
      expect(elsewhere).toBeGreaterThan(0); // the instances did compete for ticks
      expect(outcomes.filter((o) => o.outcome === 'failed')).toEqual([]);
      expect(products.map((p) => restocks.get(p.id))).toEqual(products.map(() => Number(ticks)));
      for (const product of products) {
        const stock = (await setup.http.get(`/products/${product.id}/stock`)).body;
        expect(stock.quantity).toBe(5 * Number(ticks));
        // stamped by the database's clock, in UTC like every other time
        expect(Math.abs(Date.parse(stock.last_restocked_at) - Date.now())).toBeLessThan(60 * 1000);
      }
      expect(await unbalancedProducts(db)).toEqual([]);
    });
  });
});
