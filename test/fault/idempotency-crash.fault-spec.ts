import Database from 'better-sqlite3';
import { createConnection } from 'mysql2/promise';

/**
 * A server killed (SIGKILL) the instant an order has committed, before it answers: the client sees its
 * connection die and retries with the same Idempotency-Key on a restarted server. The retry must replay
 * that order, not place a second one. The fault is the test-only FAULT_EXIT_AFTER_ORDER_COMMIT hook.
 */

interface ServerDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
}
interface Server {
  baseUrl: string;
  database: ServerDatabase;
  whenExited(): Promise<{ code: number | null; signal: string | null }>;
  output(): string;
  stop(): Promise<void>;
}
interface Harness {
  API_KEY: string;
  startServer(options: {
    mysql?: boolean;
    env?: Record<string, string>;
    database?: ServerDatabase;
    keepDatabase?: boolean;
  }): Promise<Server>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the scripts' CommonJS harness, without type declarations
const { API_KEY, startServer } = require('../../scripts/server-harness.js') as Harness;

/** One row of figures from the database itself, not through the API under test. */
async function queryOne(database: ServerDatabase, sql: string, params: unknown[]): Promise<Record<string, number>> {
  if (database.env.DB_TYPE === 'mysql') {
    const connection = await createConnection({
      host: process.env.DB_HOST ?? '127.0.0.1',
      port: Number(process.env.DB_PORT ?? 3306),
      user: process.env.DB_USERNAME ?? 'root',
      password: process.env.DB_PASSWORD ?? '',
      database: database.env.DB_DATABASE,
    });
    try {
      const [rows] = await connection.query(sql, params);
      return Object.fromEntries(Object.entries((rows as Record<string, unknown>[])[0]).map(([k, v]) => [k, Number(v)]));
    } finally {
      await connection.end();
    }
  }
  const db = new Database(database.env.DB_PATH, { readonly: true });
  try {
    const row = db.prepare(sql).get(...params) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
  } finally {
    db.close();
  }
}

describe.each([
  ['MariaDB', true],
  ['SQLite', false],
])('a server killed right after an order commits (%s)', (engine, mysql) => {
  let database: ServerDatabase | undefined;
  const servers: Server[] = [];
  const start = async (options: Parameters<Harness['startServer']>[0]) => {
    const server = await startServer({ mysql, ...options });
    servers.push(server);
    return server;
  };
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await database?.drop();
  });

  const call = (server: Server, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('replays the committed order to a retry on the restarted server, with one order and one set of stock movements', async () => {
    const doomed = await start({ env: { FAULT_EXIT_AFTER_ORDER_COMMIT: '1' }, keepDatabase: true });
    database = doomed.database;
    const created = await call(doomed, 'POST', '/customers', { name: 'Crash Test', email: `crash-${Date.now()}@example.com` });
    const { customer } = (await created.json()) as { customer: { id: number } };
    const products: { id: number }[] = [];
    for (const stock of [10, 20]) {
      const res = await call(doomed, 'POST', '/products', { name: `Crash ${stock} ${Date.now()}`, price: 5, stock_quantity: stock });
      products.push(((await res.json()) as { product: { id: number } }).product);
    }
    const key = `crash-${process.pid}-${Date.now()}`;
    const body = {
      customer_id: customer.id,
      items: [
        { product_id: products[0].id, quantity: 3 },
        { product_id: products[1].id, quantity: 4 },
      ],
    };

    await expect(call(doomed, 'POST', '/orders', body, { 'Idempotency-Key': key })).rejects.toThrow();
    expect(await doomed.whenExited()).toEqual({ code: null, signal: 'SIGKILL' });

    const restarted = await start({ database });
    const retry = await call(restarted, 'POST', '/orders', body, { 'Idempotency-Key': key });
    const answer = (await retry.json()) as { message: string; order: { id: number } };
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(answer).toMatchObject({ message: 'Order placed', order: { customer_id: customer.id, total_price: 35 } });

    const orders = await queryOne(database, 'SELECT COUNT(*) AS n, MIN(id) AS id FROM orders WHERE customer_id = ?', [customer.id]);
    const movements = await queryOne(
      database,
      `SELECT COUNT(*) AS n, SUM(delta) AS total FROM stock_movements WHERE reference_type = 'order' AND product_id IN (?, ?)`,
      [products[0].id, products[1].id],
    );
    const stock = await queryOne(database, 'SELECT SUM(stock_quantity) AS left_ FROM products WHERE id IN (?, ?)', [
      products[0].id,
      products[1].id,
    ]);
    console.log(
      `${engine}: killed after commit, retried on a restarted server: ${retry.status} replayed=${retry.headers.get('idempotent-replayed')} ` +
        `order ${answer.order.id}; orders in the database: ${orders.n} (id ${orders.id}); order stock movements: ${movements.n} ` +
        `(total ${movements.total}); stock left: ${stock.left_} of 30`,
    );
    expect(orders).toEqual({ n: 1, id: answer.order.id });
    expect(movements).toEqual({ n: 2, total: -7 });
    expect(stock.left_).toBe(23);

    // and it stays that way: a second retry replays the same answer
    const again = await call(restarted, 'POST', '/orders', body, { 'Idempotency-Key': key });
    expect(again.status).toBe(201);
    expect(await again.json()).toEqual(answer);
  });
});
