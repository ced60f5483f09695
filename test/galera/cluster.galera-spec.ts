import { DataSource } from 'typeorm';
import { dropDatabase, recreateDatabase, startApp, TestApp } from '../support/app';
import { createCustomer, createProduct } from '../support/factories';
import { unbalancedProducts } from '../support/ledger';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GaleraCluster } = require('../../scripts/galera-cluster.js') as { GaleraCluster: new () => Cluster };

interface Cluster {
  ports: number[];
  startAll(): Promise<void>;
  start(n: number): Promise<void>;
  kill(n: number): void;
  status(n: number, variable: string): string;
  sql(n: number, statements: string, extra?: string[]): string;
  destroy(): Promise<void>;
}

const DATABASE = 'ecommerce_galera';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The service on a three-node MariaDB Galera cluster started on this machine, one app instance per node:
 * the guarantees that hold on one server hold on a multi-primary cluster too.
 */
describe('On a MariaDB Galera cluster', () => {
  let cluster: Cluster;
  const apps: TestApp[] = [];
  const at = (i: number) => apps[i % apps.length];

  beforeAll(async () => {
    cluster = new GaleraCluster();
    const started = Date.now();
    await cluster.startAll();
    console.log(`Galera: 3 nodes synced in ${((Date.now() - started) / 1000).toFixed(1)} s on ports ${cluster.ports.join(', ')}`);
    process.env.DB_PORT = String(cluster.ports[0]);
    await recreateDatabase(DATABASE);
    // one at a time: the first applies the migrations, the others find them applied
    for (const port of cluster.ports)
      apps.push(await startApp({ database: DATABASE, reuse: true, env: { DB_PORT: String(port), DB_POOL_SIZE: '8' } }));
  }, 240_000);

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await cluster?.destroy();
    delete process.env.DB_PORT;
  }, 120_000);

  it('1,000 one-unit orders over three instances on three nodes for stock 100: exactly 100 succeed, 900 get 409, none fails', async () => {
    const customer = await createCustomer(at(0).http);
    const product = await createProduct(at(1).http, { stock_quantity: 100 });
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        at(i)
          .http.post('/orders')
          .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
      ),
    );
    const count = (status: number) => results.filter((r) => r.status === status).length;
    console.log(
      `Galera orders: ${count(201)} × 201, ${count(409)} × 409, ${results.length - count(201) - count(409)} other, in ${Date.now() - started} ms`,
    );
    expect([count(201), count(409)]).toEqual([100, 900]);
    for (const app of apps) expect((await app.http.get(`/products/${product.id}/stock`).expect(200)).body.quantity).toBe(0);
    expect(await unbalancedProducts(at(2).app.get(DataSource))).toEqual([]);
  });

  it('replays an idempotent retry sent to another node', async () => {
    const customer = await createCustomer(at(0).http);
    const product = await createProduct(at(0).http, { stock_quantity: 10 });
    const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] };
    const key = `galera-${Date.now()}`;
    const first = await at(0).http.post('/orders').set('Idempotency-Key', key).send(body).expect(201);
    for (const i of [1, 2]) {
      const retry = await at(i).http.post('/orders').set('Idempotency-Key', key).send(body).expect(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body.order.id).toBe(first.body.order.id);
    }
    expect((await at(2).http.get(`/products/${product.id}/stock`)).body.quantity).toBe(8);
  });

  it('lists newest first by created_at then id, although ids interleave across nodes', async () => {
    const customer = await createCustomer(at(0).http);
    const product = await createProduct(at(0).http, { stock_quantity: 1000 });
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        at(i)
          .http.post('/orders')
          .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] })
          .expect(201),
      ),
    );
    const orders: { id: number; created_at: string }[] = (
      await at(1).http.get(`/orders/${customer.id}/history`).query({ limit: 100 }).expect(200)
    ).body.items;
    expect(orders).toHaveLength(30);
    const sorted = [...orders].sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
    expect(orders.map((o) => o.id)).toEqual(sorted.map((o) => o.id));
    const offsets = new Set(orders.map((o) => o.id % 3));
    console.log(`Galera ids: ${orders.length} orders with ids in ${offsets.size} residues mod 3 (one per node)`);
  });

  it('kill -9 of one node under load: the others keep serving, nothing acknowledged is lost, its instance answers 503 until the node rejoins', async () => {
    const customer = await createCustomer(at(0).http);
    const product = await createProduct(at(0).http, { stock_quantity: 100_000 });
    const acknowledged: number[] = [];
    const statuses = new Map<string, number>();
    let running = true;
    const worker = async (i: number) => {
      while (running) {
        const res = await at(i)
          .http.post('/orders')
          .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] })
          .catch(() => null);
        const key = `${i % 3}:${res?.status ?? 'network'}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (res?.status === 201) acknowledged.push(res.body.order.id);
        else await sleep(50);
      }
    };
    const workers = Array.from({ length: 9 }, (_, i) => worker(i));
    await sleep(2000);
    cluster.kill(3);
    const killedAt = Date.now();
    await sleep(4000);
    // the killed node's instance: refused with 503 while its database is gone
    const down = await at(2).http.get('/orders').query({ limit: 1 });
    const health = await at(2).anon.get('/health');
    const servedMeanwhile = acknowledged.length;
    running = false;
    await Promise.all(workers);
    console.log(
      `Galera kill -9: statuses by instance ${JSON.stringify(Object.fromEntries(statuses))}; ${servedMeanwhile} orders acknowledged`,
    );
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(health.status).toBe(503);
    for (const i of [0, 1]) expect(statuses.get(`${i}:201`) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((key) => /^[01]:5/.test(key))).toEqual([]);

    // nothing acknowledged is lost, seen from a surviving node
    const ids: { id: number }[] = await at(0).app.get(DataSource).query(`SELECT id FROM orders WHERE customer_id = ?`, [customer.id]);
    const stored = new Set(ids.map((row) => Number(row.id)));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect(await unbalancedProducts(at(0).app.get(DataSource))).toEqual([]);

    // the node rejoins; the same instance serves again without a restart, and sees everything
    await cluster.start(3);
    const rejoinedAfter = Date.now() - killedAt;
    let recovered = 0;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await at(2).http.get(`/products/${product.id}/stock`)).status !== 200) await sleep(200);
    recovered = Date.now() - killedAt;
    const stock = (await at(2).http.get(`/products/${product.id}/stock`).expect(200)).body.quantity;
    expect(stock).toBe(100_000 - stored.size);
    console.log(
      `Galera rejoin: node 3 synced ${rejoinedAfter} ms after the kill, its instance answered 200 after ${recovered} ms, stock ${stock}`,
    );
  });
});

afterAll(async () => dropDatabase(DATABASE).catch(() => undefined));
