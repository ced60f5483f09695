import { Agent } from 'node:http';
import type { RowDataPacket } from 'mysql2/promise';
import { MAX_ATTEMPTS_PER_USERNAME } from '../../src/auth/login-attempts';
import { acknowledged, checkOrders, createSharedDatabase, type OrderAttempt } from '../fault/support/orders';
import { API_KEY, send, sleep, startServer, type Exchange, type Server } from '../fault/support/server';
import { deleteRedisKeys, TEST_REDIS_URL, testRedisPrefix } from '../support/redis';

/**
 * shared/API.md "Several instances": two built servers (`node dist/main.js`, as in production) on one MariaDB
 * database and one Redis, every request alternating between them as a round-robin load balancer would send it.
 * Needs `npm run build`, MariaDB and Redis (npm run test:instances; CI starts both).
 */
const RATE_LIMIT = 7;
const ORDERS = 1000;
const STOCK = 100;
/**
 * How long one order of the burst may take. They all wait for one product row, one after the other: on a quiet
 * machine the burst takes seconds, on a busy one (two cores shared) it has taken 30 s; a slow answer is not what
 * this test is about, a wrong one is.
 */
const ORDER_TIMEOUT_MS = 120_000;
/** The harness's DB_POOL_SIZE default. */
const POOL_SIZE = 10;

type Database = Awaited<ReturnType<typeof createSharedDatabase>>;

/** Starts `count` servers one after the other on `database` (the first applies the migrations), with `env`. */
async function startInstances(database: Database, count: number, env: Record<string, string>): Promise<Server[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) servers.push(await startServer(database.env, env));
  return servers;
}

/** The JSON log lines a server wrote whose message matches. */
const logLines = (server: Server, pattern: RegExp) =>
  server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; level?: number })
    .filter((line) => pattern.test(line.msg ?? ''));

describe('Two instances on one MariaDB database and one Redis (built servers)', () => {
  const prefix = testRedisPrefix('instances');
  const agent = new Agent({ keepAlive: true, maxSockets: ORDERS });
  const call = (server: Server, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    send(agent, server.baseUrl, method, path, body, headers);
  const asService = (server: Server, method: string, path: string, body?: unknown) =>
    call(server, method, path, body, { 'X-API-Key': API_KEY });
  const created = async (server: Server, path: string, body: unknown) => {
    const exchange = await asService(server, 'POST', path, body);
    if (!exchange.ok || exchange.status !== 201) throw new Error(`POST ${path} failed: ${JSON.stringify(exchange)}`);
    return exchange.body;
  };
  const statusOf = (exchange: Exchange) => (exchange.ok ? exchange.status : `network ${exchange.error}`);

  afterAll(async () => {
    agent.destroy();
    await deleteRedisKeys(prefix);
  });

  describe('serving requests', () => {
    let database: Database | undefined;
    let servers: Server[] = [];
    const at = (i: number) => servers[i % servers.length];

    beforeAll(async () => {
      database = await createSharedDatabase('instances');
      // TRUST_PROXY=1: the test client stands for the load balancer, so each test can speak for clients of its own
      servers = await startInstances(database, 2, {
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
        TRUST_PROXY: '1',
      });
    }, 120_000);

    afterAll(async () => {
      for (const server of servers) await server.stop();
      await database?.drop();
    }, 60_000);

    /**
     * Opens every pooled database connection of both instances, as traffic before the burst would have: a cold
     * pool opens them all at once, and on a busy machine a handshake can pass the 2 s connect timeout (503 by
     * design, database.options.ts), which is not what this test is about.
     */
    const warmUp = async (productId: number) => {
      for (let round = 0; round < 5; round++) {
        const reads = await Promise.all(
          Array.from({ length: 2 * POOL_SIZE * servers.length }, (_, i) => asService(at(i), 'GET', `/products/${productId}/stock`)),
        );
        if (reads.every((read) => read.ok && read.status === 200)) return;
      }
      throw new Error('the instances did not answer 200 to reads before the burst');
    };

    it(
      `${ORDERS} parallel one-unit orders split between the two for stock ${STOCK}: exactly ${STOCK} × 201 and ${ORDERS - STOCK} × 409, no 5xx, stock 0, ledger balanced`,
      async () => {
        const { customer } = await created(at(0), '/customers', { name: 'Two Instances', email: `instances-${process.pid}@example.com` });
        const { product } = await created(at(1), '/products', { name: 'Last hundred', price: 9.99, stock_quantity: STOCK });
        const items = [{ product_id: product.id, quantity: 1 }];
        await warmUp(product.id);
        const started = Date.now();
        const attempts: (OrderAttempt & { instance: number })[] = await Promise.all(
          Array.from({ length: ORDERS }, async (_, i) => ({
            instance: i % 2,
            items,
            exchange: await send(
              agent,
              at(i).baseUrl,
              'POST',
              '/orders',
              { customer_id: customer.id, items },
              { 'X-API-Key': API_KEY },
              ORDER_TIMEOUT_MS,
            ),
          })),
        );
        const elapsedMs = Date.now() - started;
        const tally = (list: typeof attempts) =>
          list.reduce<Record<string, number>>(
            (counts, { exchange }) => ({ ...counts, [statusOf(exchange)]: (counts[statusOf(exchange)] ?? 0) + 1 }),
            {},
          );
        const connection = await database!.connect();
        const check = await checkOrders(connection, acknowledged(attempts)).finally(() => connection.end());
        const stocks = await Promise.all(servers.map((server) => asService(server, 'GET', `/products/${product.id}/stock`)));
        const latencies = attempts.map(({ exchange }) => exchange.ms).sort((a, b) => a - b);
        const unexpected = attempts.filter(({ exchange }) => !exchange.ok || ![201, 409].includes(exchange.status));
        if (unexpected.length) {
          console.log(
            `unexpected answers: ${JSON.stringify(unexpected.slice(0, 5).map(({ exchange }) => (exchange.ok ? exchange.body : exchange.error)))}\n` +
              `server errors: ${servers
                .flatMap((server) => logLines(server, /./).filter((line) => (line.level ?? 0) >= 40))
                .slice(0, 5)
                .map((line) => JSON.stringify(line))
                .join('\n')}`,
          );
        }
        console.log(
          `two instances: ${ORDERS} parallel one-unit orders for stock ${STOCK} in ${elapsedMs} ms: ${JSON.stringify(tally(attempts))}; ` +
            `instance A ${JSON.stringify(tally(attempts.filter((a) => a.instance === 0)))}, B ${JSON.stringify(tally(attempts.filter((a) => a.instance === 1)))}; ` +
            `latency p50 ${latencies[ORDERS / 2]} ms, max ${latencies.at(-1)} ms; ${check.ordersInDatabase} orders stored; ` +
            `stock read on A and B: ${stocks.map((s) => (s.ok ? s.body.quantity : s.error)).join(', ')}`,
        );

        expect(tally(attempts)).toEqual({ 201: STOCK, 409: ORDERS - STOCK });
        // both instances placed orders: the split really spread the work
        for (const instance of [0, 1]) {
          expect(attempts.some((a) => a.instance === instance && a.exchange.ok && a.exchange.status === 201)).toBe(true);
        }
        expect(
          attempts
            .filter(({ exchange }) => exchange.ok && exchange.status === 409)
            .every(({ exchange }) => exchange.ok && exchange.body.code === 'INSUFFICIENT_STOCK'),
        ).toBe(true);
        expect(stocks.map((s) => s.ok && s.status === 200 && s.body.quantity)).toEqual([0, 0]);
        expect(check).toEqual({
          ordersInDatabase: STOCK,
          missing: [],
          wrongLines: [],
          wrongMovements: [],
          unacknowledged: [],
          inconsistent: [],
          unbalanced: [],
        });
      },
      2 * ORDER_TIMEOUT_MS,
    );

    it(`lets exactly ${RATE_LIMIT} anonymous requests of one client through across both, then 429 with Retry-After on both`, async () => {
      const client = { 'X-Forwarded-For': '198.51.100.7' };
      const answers: Exchange[] = [];
      for (let i = 0; i < RATE_LIMIT + 6; i++) answers.push(await call(at(i), 'GET', '/products', undefined, client));
      const statuses = answers.map(statusOf);
      const refused = answers.filter((exchange) => exchange.ok && exchange.status === 429);
      console.log(
        `two instances, RATE_LIMIT_PER_MINUTE=${RATE_LIMIT}: ${answers.length} requests alternating A/B → ${statuses.join(' ')}; ` +
          `Retry-After on the 429s: ${refused.map((exchange) => exchange.ok && exchange.headers['retry-after']).join(', ')} s`,
      );
      expect(statuses).toEqual([...Array(RATE_LIMIT).fill(200), ...Array(6).fill(429)]);
      for (const exchange of refused) {
        expect(exchange.ok && [exchange.body.code, Number(exchange.headers['retry-after']) > 0]).toEqual(['RATE_LIMITED', true]);
      }
      // refused by each of the two, not by one of them only
      expect(answers.slice(RATE_LIMIT, RATE_LIMIT + 2).map(statusOf)).toEqual([429, 429]);
    });

    it(`counts login attempts per username across both: ${MAX_ATTEMPTS_PER_USERNAME} answered, then 429 with Retry-After on both, the right password included`, async () => {
      const { customer } = await created(at(0), '/customers', { name: 'Login Target', email: `login-${process.pid}@example.com` });
      const account = { username: `target${process.pid}`, password: 'correct horse battery' };
      await created(at(1), '/accounts', { customer_id: customer.id, ...account });
      // each attempt from an address of its own: the username's limit is what stops a guesser who spreads out
      const attempt = (i: number, password: string) =>
        call(at(i), 'POST', '/auth/login', { username: account.username, password }, { 'X-Forwarded-For': `203.0.113.${i + 1}` });
      const answers: Exchange[] = [];
      for (let i = 0; i < MAX_ATTEMPTS_PER_USERNAME + 4; i++) answers.push(await attempt(i, 'wrong password'));
      const rightOnBoth = [await attempt(100, account.password), await attempt(101, account.password)];
      console.log(
        `two instances, login attempts for one username from ${answers.length} addresses alternating A/B → ${answers.map(statusOf).join(' ')}; ` +
          `then the right password on A and B → ${rightOnBoth.map(statusOf).join(' ')}`,
      );
      expect(answers.map(statusOf)).toEqual([...Array(MAX_ATTEMPTS_PER_USERNAME).fill(401), 429, 429, 429, 429]);
      for (const exchange of [...answers.slice(MAX_ATTEMPTS_PER_USERNAME), ...rightOnBoth]) {
        expect(exchange.ok && [exchange.status, exchange.body.code, Number(exchange.headers['retry-after']) > 0]).toEqual([
          429,
          'RATE_LIMITED',
          true,
        ]);
      }
    });

    it('reports Redis up in GET /health on both', async () => {
      for (const server of servers) {
        const health = await asService(server, 'GET', '/health');
        expect(health.ok && [health.status, health.body.status, health.body.details]).toEqual([
          200,
          'ok',
          { database: { status: 'up' }, redis: { status: 'up' } },
        ]);
      }
    });
  });

  describe('scheduled jobs', () => {
    const RUN_MS = 5000;
    const PRODUCTS = 10;
    let database: Database | undefined;
    let setup: Server | undefined;
    let servers: Server[] = [];

    beforeAll(async () => {
      database = await createSharedDatabase('instances_jobs');
      // makes the database and the products; its own scheduler is off (the harness's default)
      [setup] = await startInstances(database, 1, {});
    }, 120_000);

    afterAll(async () => {
      for (const server of [...servers, setup]) await server?.stop();
      await database?.drop();
    }, 60_000);

    it('runs the restock job once per tick between the two, never twice', async () => {
      // low, and still low after every restock: each tick's pass restocks every one of them
      const products: { id: number }[] = [];
      for (let i = 0; i < PRODUCTS; i++) {
        const body = { name: `Always low ${i}`, price: 1, stock_quantity: 0, reorder_threshold: 1000, reorder_quantity: 5 };
        products.push((await created(setup!, '/products', body)).product);
      }
      const everySecond = { RESTOCK_ENABLED: 'true', RESTOCK_CRON: '* * * * * *', LOG_LEVEL: 'debug' };
      servers = await startInstances(database!, 2, everySecond);
      await sleep(RUN_MS);
      // SIGTERM stops each scheduler after the pass it has under way
      for (const server of servers) await server.stop();

      const connection = await database!.connect();
      const rows = async <T>(sql: string) => (await connection.query<RowDataPacket[]>(sql))[0] as T[];
      const [claims] = await rows<{ ticks: number }>("SELECT COUNT(*) AS ticks FROM job_claims WHERE job_name = 'restock'");
      const restocks = await rows<{ product_id: number; n: number }>(
        "SELECT product_id, COUNT(*) AS n FROM stock_movements WHERE type = 'restock' GROUP BY product_id ORDER BY product_id",
      );
      const stocks = await rows<{ stock_quantity: number }>(`SELECT stock_quantity FROM products ORDER BY id`);
      await connection.end();
      const ticks = Number(claims.ticks);
      const ran = servers.map((server) => logLines(server, /^Job restock: ran this tick$/).length);
      const elsewhere = servers.map((server) => logLines(server, /^Job restock: tick claimed by another instance$/).length);
      console.log(
        `two instances, restock every second for ${RUN_MS / 1000} s: ${ticks} ticks claimed; A ran ${ran[0]}, B ran ${ran[1]}; ` +
          `found claimed by the other: A ${elsewhere[0]}, B ${elsewhere[1]}; restocks per product: ${restocks.map((r) => Number(r.n)).join(', ')}`,
      );

      expect(ticks).toBeGreaterThanOrEqual(3);
      expect(ran[0] + ran[1]).toBe(ticks); // one pass per tick, whichever instance ran it
      expect(elsewhere[0] + elsewhere[1]).toBeGreaterThan(0); // the two did compete for ticks
      expect(restocks.map((r) => Number(r.n))).toEqual(products.map(() => ticks));
      expect(stocks.map((s) => Number(s.stock_quantity))).toEqual(products.map(() => 5 * ticks));
      for (const server of servers) expect(await server.exitStatus()).toEqual({ code: 0, signal: null });
    });
  });
});
