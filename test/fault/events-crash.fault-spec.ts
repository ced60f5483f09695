import { createServer, type Server as HttpServer } from 'node:http';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSharedDatabase, orderLoad, seedCatalogue, type Catalogue } from './support/orders';
import { API_KEY, send, sleep, startServer, type Server } from './support/server';

/**
 * The outbox across a crash: a webhook receiver is subscribed to every event, the built server is killed
 * (SIGKILL) while orders flow and events are still pending, then started again on the same database. Every
 * event that committed must reach the receiver (at least once: duplicates are allowed and counted), and none
 * may be lost.
 */
const CLIENTS = 16;
const LOAD_BEFORE_KILL_MS = 2500;
// a delivery claimed by the killed server is taken over once its claim expires: the attempt timeout + 30 s
const RELAY = {
  EVENTS_RELAY_ENABLED: 'true',
  EVENTS_RELAY_INTERVAL_MS: '100',
  EVENTS_RELAY_LEASE_MS: '2000',
  WEBHOOK_DISPATCH_INTERVAL_MS: '50',
  WEBHOOK_TIMEOUT_MS: '2000',
};
const CATCH_UP_MS = 60_000;

describe('SIGKILL with events pending, then a restart (built server, MariaDB)', () => {
  let database: Awaited<ReturnType<typeof createSharedDatabase>> | undefined;
  let first: Server | undefined;
  let second: Server | undefined;
  let receiver: HttpServer;
  let catalogue: Catalogue;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      const id = request.headers['webhook-id'];
      request.resume();
      request.on('end', () => {
        if (typeof id === 'string') received.push(id);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    database = await createSharedDatabase('eventscrash');
    first = await startServer(database.env, RELAY);
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const agent = new Agent({ keepAlive: false });
    const registered = await send(agent, first.baseUrl, 'POST', '/webhooks', { url, event_types: ['*'] }, { 'X-API-Key': API_KEY });
    expect(registered.ok && registered.status).toBe(201);
    catalogue = await seedCatalogue(first.baseUrl);
  }, 60_000);

  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await database?.drop();
    await new Promise((resolve) => receiver.close(resolve));
  }, 60_000);

  it('delivers every committed event after the restart, none lost (duplicates counted)', async () => {
    const load = orderLoad(first!.baseUrl, catalogue, CLIENTS);
    await sleep(LOAD_BEFORE_KILL_MS);
    first!.kill('SIGKILL');
    await first!.exitStatus();
    await load.finished();
    const connection = await database!.connect();
    try {
      const count = async () => Number(((await connection.query('SELECT COUNT(*) AS n FROM events'))[0] as { n: number }[])[0].n);
      const committedAtKill = await count();
      const deliveredAtKill = new Set(received).size;

      second = await startServer(database!.env, RELAY);
      const restartedAt = Date.now();
      const ids = async () =>
        new Set(((await connection.query('SELECT event_id FROM events'))[0] as { event_id: string }[]).map((row) => row.event_id));
      let committed = await ids();
      while (Date.now() - restartedAt < CATCH_UP_MS && [...committed].some((id) => !received.includes(id))) {
        await sleep(200);
        committed = await ids();
      }
      const missing = [...committed].filter((id) => !received.includes(id));
      const duplicates = received.length - new Set(received).size;
      console.log(
        `events crash: ${committedAtKill} events committed at the kill, ${deliveredAtKill} delivered before it; after the restart ` +
          `${committed.size - missing.length} of ${committed.size} delivered in ${Date.now() - restartedAt} ms, ${missing.length} lost, ${duplicates} duplicates`,
      );
      expect(committedAtKill).toBeGreaterThan(deliveredAtKill); // the kill left events pending
      expect(missing).toEqual([]);
      // every event the receiver got is one that committed
      expect(received.filter((id) => !committed.has(id))).toEqual([]);
    } finally {
      await connection.end();
    }
  }, 120_000);
});
