import { Agent } from 'node:http';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';
import { API_KEY, send, type Exchange } from './server';

/** The shared MariaDB/MySQL server the e2e suites use (`DB_*`, default root@127.0.0.1:3306). */
export const sharedMysql = () => ({
  host: process.env.DB_HOST ?? '127.0.0.1',
  port: Number(process.env.DB_PORT ?? 3306),
  user: process.env.DB_USERNAME ?? 'root',
  password: process.env.DB_PASSWORD ?? '',
});

/** A fresh database on the shared server, its DB_* variables for the app, and how to drop it. */
export async function createSharedDatabase(label: string) {
  const name = `ecommerce_fault_${label}_${process.pid}_${Date.now()}`;
  const admin = await createConnection(sharedMysql());
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const { host, port, user, password } = sharedMysql();
  return {
    name,
    env: { DB_TYPE: 'mysql', DB_HOST: host, DB_PORT: String(port), DB_USERNAME: user, DB_PASSWORD: password, DB_DATABASE: name },
    connect: () => createConnection({ ...sharedMysql(), database: name }),
    drop: async () => {
      const connection = await createConnection(sharedMysql());
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}

export interface Catalogue {
  customerId: number;
  productIds: number[];
}

const AMPLE_STOCK = 1_000_000;

/** A customer and `products` products with more stock than any run can order. */
export async function seedCatalogue(baseUrl: string, products = 20): Promise<Catalogue> {
  const agent = new Agent({ keepAlive: false });
  const create = async (path: string, body: unknown) => {
    const exchange = await send(agent, baseUrl, 'POST', path, body, { 'X-API-Key': API_KEY });
    if (!exchange.ok || exchange.status !== 201) throw new Error(`POST ${path} failed: ${JSON.stringify(exchange)}`);
    return exchange.body;
  };
  const { customer } = await create('/customers', { name: 'Fault Customer', email: `fault-${process.pid}-${Date.now()}@example.com` });
  const productIds: number[] = [];
  for (let i = 0; i < products; i++) {
    const { product } = await create('/products', { name: `Fault product ${i}`, price: 1.5 + i, stock_quantity: AMPLE_STOCK });
    productIds.push(product.id);
  }
  return { customerId: customer.id, productIds };
}

export interface OrderAttempt {
  items: { product_id: number; quantity: number }[];
  exchange: Exchange;
}

/**
 * `clients` clients, each placing one order after another over its keep-alive connection (one request at a
 * time, as a browser or a service would), until stop() or until its own request fails at the network level
 * (the server is gone or no longer accepts connections).
 */
export function orderLoad(baseUrl: string, catalogue: Catalogue, clients: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const attempts: OrderAttempt[] = [];
  let running = true;
  const client = async () => {
    while (running) {
      const products = [...catalogue.productIds].sort(() => Math.random() - 0.5).slice(0, 1 + Math.floor(Math.random() * 3));
      const items = products.map((product_id) => ({ product_id, quantity: 1 + Math.floor(Math.random() * 3) }));
      const exchange = await send(
        agent,
        baseUrl,
        'POST',
        '/orders',
        { customer_id: catalogue.customerId, items },
        { 'X-API-Key': API_KEY },
      );
      attempts.push({ items, exchange });
      if (!exchange.ok) return;
    }
  };
  const done = Promise.all(Array.from({ length: clients }, client));
  return {
    attempts,
    /** Resolves once every client has stopped (each finishes the request it has under way). */
    finished: () => done.then(() => agent.destroy()),
    stop: async () => {
      running = false;
      await done;
      agent.destroy();
    },
  };
}

/** Orders acknowledged with 201, with the lines they were sent with. */
export function acknowledged(attempts: OrderAttempt[]) {
  return attempts.flatMap(({ items, exchange }) =>
    exchange.ok && exchange.status === 201 ? [{ orderId: Number(exchange.body.order.id), items }] : [],
  );
}

/**
 * Reads the database directly and compares it with what the clients were told: every acknowledged order
 * with the lines it was sent with and one `order` movement per line, and for every product a stock equal
 * to the sum of its ledger.
 */
export async function checkOrders(connection: Connection, acked: ReturnType<typeof acknowledged>) {
  const rows = async <T>(sql: string) => (await connection.query<RowDataPacket[]>(sql))[0] as T[];
  const orders = new Set((await rows<{ id: number }>('SELECT id FROM orders')).map((row) => Number(row.id)));
  const describe = (list: { order_id: number; product_id: number; n: number }[]) => {
    const byOrder = new Map<number, string[]>();
    for (const row of list)
      byOrder.set(Number(row.order_id), [...(byOrder.get(Number(row.order_id)) ?? []), `${row.product_id}x${Number(row.n)}`]);
    return (orderId: number) => (byOrder.get(orderId) ?? []).sort().join(',');
  };
  const lines = describe(await rows('SELECT order_id, product_id, quantity AS n FROM order_items'));
  const movements = describe(
    await rows(
      "SELECT reference_id AS order_id, product_id, -delta AS n FROM stock_movements WHERE type = 'order' AND reference_type = 'order'",
    ),
  );
  const unbalanced = await rows<{ id: number; quantity: number; ledger: string }>(
    `SELECT p.id, p.stock_quantity AS quantity, COALESCE(SUM(m.delta), 0) AS ledger
       FROM products p LEFT JOIN stock_movements m ON m.product_id = p.id
      GROUP BY p.id, p.stock_quantity HAVING COALESCE(SUM(m.delta), 0) <> p.stock_quantity`,
  );
  const ackedIds = new Set(acked.map(({ orderId }) => orderId));
  const sent = (items: OrderAttempt['items']) =>
    items
      .map((item) => `${item.product_id}x${item.quantity}`)
      .sort()
      .join(',');
  return {
    ordersInDatabase: orders.size,
    missing: acked.filter(({ orderId }) => !orders.has(orderId)).map(({ orderId }) => orderId),
    wrongLines: acked.filter(({ orderId, items }) => orders.has(orderId) && lines(orderId) !== sent(items)).map(({ orderId }) => orderId),
    wrongMovements: acked
      .filter(({ orderId, items }) => orders.has(orderId) && movements(orderId) !== sent(items))
      .map(({ orderId }) => orderId),
    /** Orders that exist although no client was told so: placed by a request whose answer never arrived. */
    unacknowledged: [...orders].filter((id) => !ackedIds.has(id)),
    /** Orders (acknowledged or not) without lines, or whose lines and ledger movements disagree. */
    inconsistent: [...orders].filter((id) => !lines(id) || lines(id) !== movements(id)),
    unbalanced,
  };
}
