import { Agent } from 'node:http';
import { acknowledged, checkOrders, createSharedDatabase, orderLoad, seedCatalogue, type Catalogue } from './support/orders';
import { API_KEY, send, sleep, startServer, type Server } from './support/server';

/**
 * A crash: the built server is killed (SIGKILL) while 32 clients place orders, then started again on the
 * same database. Every order a client was told about (201) must be there with its lines and ledger rows,
 * orders are all or nothing, and every product's stock equals the sum of its ledger.
 */
const CLIENTS = 32;
const LOAD_BEFORE_KILL_MS = 3000;

describe('SIGKILL under order load, then a restart (built server, MariaDB)', () => {
  let database: Awaited<ReturnType<typeof createSharedDatabase>> | undefined;
  let first: Server | undefined;
  let second: Server | undefined;
  let catalogue: Catalogue;

  beforeAll(async () => {
    database = await createSharedDatabase('sigkill');
    first = await startServer(database.env);
    catalogue = await seedCatalogue(first.baseUrl);
  }, 60_000);

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await database?.drop();
  }, 60_000);

  it('keeps every acknowledged order with its lines and stock movements, and stock = ledger for every product', async () => {
    const load = orderLoad(first!.baseUrl, catalogue, CLIENTS);
    await sleep(LOAD_BEFORE_KILL_MS);
    first!.kill('SIGKILL');
    const { signal } = await first!.exitStatus();
    await load.finished();

    const restartAt = Date.now();
    second = await startServer(database!.env);
    const restartMs = Date.now() - restartAt;
    const acked = acknowledged(load.attempts);
    const inFlight = load.attempts.filter(({ exchange }) => !exchange.ok);
    const connection = await database!.connect();
    const check = await checkOrders(connection, acked).finally(() => connection.end());
    // the restarted server serves the orders and takes new ones
    const agent = new Agent({ keepAlive: false });
    const lastAcked = acked.at(-1)!;
    const readBack = await send(agent, second.baseUrl, 'GET', `/orders/${lastAcked.orderId}`, undefined, { 'X-API-Key': API_KEY });
    const another = await send(
      agent,
      second.baseUrl,
      'POST',
      '/orders',
      { customer_id: catalogue.customerId, items: [{ product_id: catalogue.productIds[0], quantity: 1 }] },
      { 'X-API-Key': API_KEY },
    );

    console.log(
      `sigkill: ${load.attempts.length} orders sent, ${acked.length} acknowledged (201), ${acked.length - check.missing.length} of them found with their lines and movements; ` +
        `${inFlight.length} in flight at the kill: ${check.unacknowledged.length} committed though unanswered, ${inFlight.length - check.unacknowledged.length} never committed; ` +
        `${check.unbalanced.length} products with stock != ledger; restart ${restartMs} ms; server killed by ${signal}`,
    );

    expect(signal).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThan(CLIENTS);
    // every answer the clients got before the kill was a 201; the rest failed at the network level
    expect(load.attempts.filter(({ exchange }) => exchange.ok && exchange.status !== 201)).toEqual([]);
    expect(check).toMatchObject({ missing: [], wrongLines: [], wrongMovements: [], inconsistent: [], unbalanced: [] });
    // an order nobody was told about can only come from a request in flight at the kill
    expect(check.unacknowledged.length).toBeLessThanOrEqual(inFlight.length);
    expect(readBack).toMatchObject({ ok: true, status: 200, body: { id: lastAcked.orderId } });
    expect(another).toMatchObject({ ok: true, status: 201 });
  }, 90_000);
});
