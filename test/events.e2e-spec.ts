import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import type { EventResponseDto } from '../src/events/dto/event-response.dto';
import { EventRelay } from '../src/events/event-relay';
import { EventsService } from '../src/events/events.service';
import type { EventSink } from '../src/events/event-sink';
import { dropDatabase, ENV_KEY_ACTOR, onMysql, recreateDatabase, startApp, TestApp } from './support/app';
import { createCustomer, createProduct, expectProblem, placeOrder } from './support/factories';

/** Pages the feed from `after` until a page comes back empty; returns every event and the last cursor. */
async function readFeed(t: TestApp, after?: string, limit = 7) {
  const events: EventResponseDto[] = [];
  let cursor = after;
  for (;;) {
    const res = await t.http
      .get('/events')
      .query({ ...(cursor !== undefined && { after: cursor }), limit })
      .expect(200);
    events.push(...res.body.items);
    if (!res.body.items.length) {
      if (cursor !== undefined) expect(res.body.next_cursor).toBe(cursor);
      return { events, cursor: res.body.next_cursor as string };
    }
    cursor = res.body.next_cursor;
  }
}

const eventCount = async (t: TestApp) => Number((await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM events'))[0].n);

describe('Event feed (e2e)', () => {
  let t: TestApp;
  let relay: EventRelay;
  beforeAll(async () => {
    t = await startApp();
    relay = t.app.get(EventRelay);
  });
  afterAll(() => t.close());

  it('shows committed events once the relay has stamped them, oldest first, each exactly once', async () => {
    const start = (await readFeed(t)).cursor;
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    const order = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 2 }]);
    // not stamped yet: the feed shows nothing new
    expect((await t.http.get('/events').query({ after: start }).expect(200)).body).toEqual({ items: [], next_cursor: start });

    await relay.runOnce();
    const { events } = await readFeed(t, start, 2);
    expect(events.map((e) => e.type)).toEqual(['customer.created', 'product.created', 'stock.changed', 'stock.changed', 'order.created']);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events[4]).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'order.created',
      created_at: expect.any(String),
      subject: { type: 'order', id: order.id },
      // the values themselves are test/audit.e2e-spec.ts's
      actor: ENV_KEY_ACTOR,
      request_id: expect.any(String),
      data: order,
    });
  });

  it('filters by type and keeps the cursor moving', async () => {
    const start = (await readFeed(t)).cursor;
    const customer = await createCustomer(t.http);
    const product = await createProduct(t.http, { stock_quantity: 10 });
    await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 1 }]);
    await relay.runOnce();
    const res = await t.http.get('/events').query({ after: start, type: 'order.created,customer.created' }).expect(200);
    expect(res.body.items.map((e: EventResponseDto) => e.type)).toEqual(['customer.created', 'order.created']);
  });

  it('refuses a cursor it did not hand out, an unknown type and a missing key', async () => {
    expectProblem(await t.http.get('/events').query({ after: 'bm90LWEtY3Vyc29y' }), 400, 'INVALID_CURSOR');
    expectProblem(await t.http.get('/events').query({ after: "1' OR 1=1" }), 400, 'INVALID_CURSOR');
    expectProblem(await t.http.get('/events').query({ type: 'order.exploded' }), 400, 'VALIDATION_FAILED');
    expectProblem(await t.http.get('/events').query({ limit: 1001 }), 400, 'VALIDATION_FAILED');
    expectProblem(await t.anon.get('/events'), 401, 'UNAUTHORIZED');
  });

  it('hands a sink every event after its cursor, in feed order, and advances the cursor', async () => {
    const received: EventResponseDto[] = [];
    const sink: EventSink = { name: `test-${Date.now()}`, deliver: async (events) => void received.push(...events) };
    relay.registerSink(sink);
    const customer = await createCustomer(t.http);
    await relay.runOnce();
    const all = (await readFeed(t)).events;
    expect(received.map((e) => e.id)).toEqual(all.map((e) => e.id));
    expect(received.at(-1)).toMatchObject({ type: 'customer.created', subject: { id: customer.id } });
    await relay.runOnce(); // nothing new: nothing handed over twice
    expect(received.length).toBe(all.length);
  });

  it('hands the same events again when a sink fails, and the feed order never changes', async () => {
    let failures = 1;
    const received: string[] = [];
    relay.registerSink({
      name: `flaky-${Date.now()}`,
      deliver: async (events) => {
        if (failures-- > 0) throw new Error('broker down');
        received.push(...events.map((e) => e.id));
      },
    });
    await createCustomer(t.http);
    await expect(relay.runOnce()).rejects.toThrow('broker down');
    await relay.runOnce();
    expect(received).toEqual((await readFeed(t)).events.map((e) => e.id));
  });
});

// Two transactions committing out of id order, and two relays, need two connections: MariaDB only.
(onMysql ? describe : describe.skip)('Event feed on MariaDB (e2e)', () => {
  it('stamps an event whose transaction took a lower id but committed later after the others, so a reader sees it once', async () => {
    const t = await startApp();
    try {
      const relay = t.app.get(EventRelay);
      const start = (await readFeed(t)).cursor;
      // a transaction that takes an id now and commits after the next change
      const slow = await createConnection({
        host: '127.0.0.1',
        user: process.env.DB_USERNAME ?? 'root',
        password: process.env.DB_PASSWORD ?? '',
        database: t.database,
      });
      await slow.beginTransaction();
      await slow.query(
        `INSERT INTO events (event_id, type, subject_type, subject_id, data) VALUES ('evt_slow000000000000000000000000000', 'customer.updated', 'customer', 1, '{}')`,
      );
      const customer = await createCustomer(t.http); // a higher id, committed first
      await relay.runOnce();
      const first = await readFeed(t, start);
      expect(first.events.map((e) => e.subject.id)).toEqual([customer.id]);

      await slow.commit();
      await slow.end();
      await relay.runOnce();
      const second = await readFeed(t, first.cursor);
      expect(second.events.map((e) => e.id)).toEqual(['evt_slow000000000000000000000000000']);
      console.log(
        `out-of-order commit: the later-committed lower id was stamped after, read once (${first.events.length} + ${second.events.length} events)`,
      );
    } finally {
      await t.close();
    }
  });

  it('500 parallel orders over two instances, both relays running: a consumer paging the feed meanwhile sees every event exactly once', async () => {
    const env = { EVENTS_RELAY_ENABLED: 'true', EVENTS_RELAY_INTERVAL_MS: '50', EVENTS_RELAY_LEASE_MS: '2000' };
    const a = await startApp({ env });
    const b = await startApp({ database: a.database, reuse: true, env });
    try {
      const customer = await createCustomer(a.http);
      const products = await Promise.all([1, 2, 3, 4, 5].map(() => createProduct(a.http, { stock_quantity: 1000 })));
      const seen: EventResponseDto[] = [];
      let cursor: string | undefined;
      let placing = true;
      const consumer = (async () => {
        while (placing || seen.length < (await eventCount(a))) {
          const res = await (seen.length % 2 ? a : b).http
            .get('/events')
            .query({ ...(cursor && { after: cursor }), limit: 50 })
            .expect(200);
          seen.push(...res.body.items);
          cursor = res.body.next_cursor;
          if (!res.body.items.length) await new Promise((resolve) => setTimeout(resolve, 30));
        }
      })();
      const results = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          (i % 2 ? a : b).http.post('/orders').send({ customer_id: customer.id, items: [{ product_id: products[i % 5].id, quantity: 1 }] }),
        ),
      );
      placing = false;
      await consumer;
      expect(results.filter((r) => r.status !== 201).map((r) => r.status)).toEqual([]);
      const ids = seen.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(await eventCount(a));
      expect(seen.filter((e) => e.type === 'order.created').length).toBe(500);
      const leaders = [a, b].filter((t) => t.app.get(EventRelay).isLeader).length;
      console.log(
        `feed under load: 500 orders over 2 instances, ${ids.length} events read exactly once, ${leaders} relay holding the lease`,
      );
      expect(leaders).toBe(1);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('a second instance takes the relay over when the first stops', async () => {
    const env = { EVENTS_RELAY_ENABLED: 'true', EVENTS_RELAY_INTERVAL_MS: '50', EVENTS_RELAY_LEASE_MS: '1000' };
    // a database neither instance owns: stopping the leader must not drop it
    const database = `ecommerce_takeover_${process.pid}`;
    await recreateDatabase(database);
    const a = await startApp({ database, reuse: true, env });
    const b = await startApp({ database, reuse: true, env });
    try {
      const deadline = Date.now() + 3000;
      while (![a, b].some((t) => t.app.get(EventRelay).isLeader) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const [leader, other] = a.app.get(EventRelay).isLeader ? [a, b] : [b, a];
      expect(other.app.get(EventRelay).isLeader).toBe(false);
      await leader.close();
      const customer = await createCustomer(other.http);
      const started = Date.now();
      let found = false;
      while (!found && Date.now() - started < 5000) {
        found = (await readFeed(other)).events.some((e) => e.type === 'customer.created' && e.subject.id === customer.id);
        if (!found) await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`relay takeover: the event appeared in the feed ${Date.now() - started} ms after the leader stopped (lease 1000 ms)`);
      expect(found).toBe(true);
      expect(other.app.get(EventRelay).isLeader).toBe(true);
    } finally {
      await b.close().catch(() => undefined);
      await a.close().catch(() => undefined);
      await dropDatabase(database);
    }
  });
});

describe('Event retention (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('purges events older than EVENTS_RETENTION_DAYS that every destination has taken, and keeps the rest', async () => {
    const relay = t.app.get(EventRelay);
    const dataSource = t.app.get(DataSource);
    const received: string[] = [];
    relay.registerSink({ name: `retention-${Date.now()}`, deliver: async (events) => void received.push(...events.map((e) => e.id)) });
    await createCustomer(t.http);
    await createCustomer(t.http);
    await relay.runOnce(); // both stamped and taken by every destination
    const [old, recent] = (await readFeed(t)).events.slice(-2);
    // one of them 31 days old; and an old event the relay has not stamped yet (its destinations have not had it)
    // as both engines store DATETIME: 'YYYY-MM-DD HH:MM:SS.mmm', UTC
    const monthAgo = new Date(Date.now() - 31 * 86_400_000).toISOString().replace('T', ' ').replace('Z', '');
    await dataSource.query('UPDATE events SET created_at = ? WHERE event_id = ?', [monthAgo, old.id]);
    await createCustomer(t.http);
    const [{ id: unstampedId }] = await dataSource.query('SELECT event_id AS id FROM events WHERE position IS NULL');
    await dataSource.query('UPDATE events SET created_at = ? WHERE event_id = ?', [monthAgo, unstampedId]);

    const purged = await t.app.get(EventsService).purgeExpired(await relay.takenUpTo());
    const left = new Set((await dataSource.query('SELECT event_id AS id FROM events')).map((row: { id: string }) => row.id));
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(left.has(old.id)).toBe(false);
    expect(left.has(recent.id)).toBe(true);
    expect(left.has(unstampedId)).toBe(true);
  });
});
