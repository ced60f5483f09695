import { Agent } from 'node:http';
import { API_KEY, send, sleep, startServer, type Exchange, type Server } from './support/server';
import { ThrowawayMariadb } from './support/throwaway-mariadb';

/**
 * shared/API.md "Database outage": while the database is unreachable every route that needs it answers
 * 503 DATABASE_UNAVAILABLE with Retry-After within 5 s, and the same process recovers without a restart.
 * The built server runs on a MariaDB server of the test's own, which is stopped (SIGTERM) or killed
 * (SIGKILL) under a steady load and then started again on the same data.
 */
const DATABASE = 'ecommerce_fault';
const ANSWER_WITHIN_MS = 5000;
const DOWN_FOR_MS = 4000;
const RECOVER_WITHIN_MS = 15_000;
const WORKERS = 4;

type Phase = 'up' | 'stopping' | 'down' | 'starting';
type Route = 'GET /products/:id' | 'POST /customers' | 'GET /health';

describe('Database outage (built server, throwaway MariaDB)', () => {
  let db: ThrowawayMariadb | undefined;
  let server: Server | undefined;
  let productId: number;
  let emails = 0;
  const agent = new Agent({ keepAlive: true });

  beforeAll(async () => {
    db = await ThrowawayMariadb.create();
    const connection = await db.connect();
    await connection.query(`CREATE DATABASE ${DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await connection.end();
    server = await startServer(db.env(DATABASE));
    const created = await call('POST', '/products', { name: 'Outage probe', price: 9.99, stock_quantity: 10 });
    if (!created.ok || created.status !== 201) throw new Error(`seeding failed: ${JSON.stringify(created)}`);
    productId = created.body.product.id;
  }, 120_000);

  afterAll(async () => {
    agent.destroy();
    await server?.stop();
    await db?.destroy();
  }, 120_000);

  // every request carries the API key: the routes' rate limits must not answer for the database
  const call = (method: string, path: string, body?: unknown) => send(agent, server!.baseUrl, method, path, body, { 'X-API-Key': API_KEY });

  const probes = (): [Route, Promise<Exchange>][] => [
    ['GET /products/:id', call('GET', `/products/${productId}`)],
    ['POST /customers', call('POST', '/customers', { name: 'Outage Probe', email: `outage-${process.pid}-${++emails}@example.com` })],
    ['GET /health', call('GET', '/health')],
  ];

  it.each([
    ['stopped', (mariadb: ThrowawayMariadb) => mariadb.stop()],
    ['killed', (mariadb: ThrowawayMariadb) => mariadb.kill()],
  ])(
    'answers 503 DATABASE_UNAVAILABLE with Retry-After within 5 s while the database is %s, and 2xx again once it is back',
    async (how, takeDown) => {
      const log: { phase: Phase; route: Route; exchange: Exchange }[] = [];
      let phase: Phase = 'up';
      let running = true;
      const worker = async () => {
        while (running) {
          const round = probes();
          const phaseAtSend = phase;
          for (const [route, pending] of round) log.push({ phase: phaseAtSend, route, exchange: await pending });
        }
      };
      const workers = Array.from({ length: WORKERS }, worker);
      try {
        await sleep(500);
        phase = 'stopping';
        await takeDown(db!);
        phase = 'down';
        await sleep(DOWN_FOR_MS);
        phase = 'starting';
        await db!.start();
      } finally {
        running = false;
        await Promise.all(workers);
      }
      const databaseBackAt = Date.now();
      let recoveredAfterMs: number | undefined;
      while (Date.now() - databaseBackAt < RECOVER_WITHIN_MS) {
        const round = await Promise.all(probes().map(([, pending]) => pending));
        if (round.every((exchange) => exchange.ok && exchange.status < 300)) {
          recoveredAfterMs = Date.now() - databaseBackAt;
          break;
        }
        await sleep(100);
      }

      const down = log.filter((entry) => entry.phase === 'down');
      const outcome = ({ exchange }: { exchange: Exchange }) =>
        !exchange.ok
          ? `network ${exchange.error}`
          : exchange.status === 503
            ? `503 ${exchange.body?.code}${exchange.headers['retry-after'] ? ' +Retry-After' : ''}`
            : String(exchange.status);
      const tally = (entries: typeof log) =>
        entries.reduce<Record<string, number>>((counts, entry) => ({ ...counts, [outcome(entry)]: (counts[outcome(entry)] ?? 0) + 1 }), {});
      const latencies = log.map((entry) => entry.exchange.ms).sort((a, b) => a - b);
      const downLatencies = down.map((entry) => entry.exchange.ms).sort((a, b) => a - b);
      console.log(
        `db-outage (database ${how}): ${log.length} requests; while down ${down.length}: ${JSON.stringify(tally(down))}, ` +
          `latency max ${downLatencies.at(-1)} ms, p50 ${downLatencies[Math.floor(downLatencies.length / 2)]} ms; ` +
          `overall ${JSON.stringify(tally(log))}, max latency ${latencies.at(-1)} ms; ` +
          `2xx again ${recoveredAfterMs ?? 'never'} ms after the database answered; server pid ${server!.pid} ${server!.exited() ? 'EXITED' : 'still running'}`,
      );

      // while the database is down, every route answers 503 DATABASE_UNAVAILABLE with Retry-After
      for (const route of ['GET /products/:id', 'POST /customers', 'GET /health'] as Route[]) {
        expect({ route, answersWhileDown: down.filter((entry) => entry.route === route).length > 0 }).toEqual({
          route,
          answersWhileDown: true,
        });
      }
      expect(tally(down)).toEqual({ '503 DATABASE_UNAVAILABLE +Retry-After': down.length });
      // and at no point a 500, a network failure or a wait past 5 s, however the outage began or ended
      const expected = ({ exchange }: (typeof log)[number]) =>
        exchange.ok &&
        (exchange.status < 300 ||
          (exchange.status === 503 &&
            exchange.body?.code === 'DATABASE_UNAVAILABLE' &&
            !!exchange.headers['retry-after'] &&
            /^application\/problem\+json/.test(exchange.headers['content-type'] ?? '')));
      expect(
        log.filter((entry) => !expected(entry)).map((entry) => ({ phase: entry.phase, route: entry.route, outcome: outcome(entry) })),
      ).toEqual([]);
      expect(
        log
          .filter((entry) => entry.exchange.ms >= ANSWER_WITHIN_MS)
          .map((entry) => ({ phase: entry.phase, route: entry.route, ms: entry.exchange.ms })),
      ).toEqual([]);
      // the same process serves again once the database is back
      expect(recoveredAfterMs).toBeDefined();
      expect(server!.exited()).toBe(false);
    },
    90_000,
  );
});
