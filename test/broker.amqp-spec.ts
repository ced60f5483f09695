import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { DataSource } from 'typeorm';
import { AmqpSink } from '../src/broker/amqp-sink';
import type { EventResponseDto } from '../src/events/dto/event-response.dto';
import { EventRelay } from '../src/events/event-relay';
import { startApp, TestApp } from './support/app';
import { createCustomer, createProduct, placeOrder } from './support/factories';
import { TcpProxy } from './support/tcp-proxy';

/** Needs RabbitMQ (`npm run test:broker`; .ci/run starts it). */
const AMQP_URL = process.env.AMQP_TEST_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const rabbit = new URL(AMQP_URL);
const viaProxy = (proxy: TcpProxy) => Object.assign(new URL(AMQP_URL), { hostname: '127.0.0.1', port: String(proxy.port) }).toString();

let exchanges = 0;
/** An exchange of the test's own, deleted afterwards, so runs never see each other's messages. */
const testExchange = () => `ecommerce.test.${process.pid}.${++exchanges}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Runs relay rounds until one delivers (the sink may still be connecting); returns how many failed first. */
async function relayUntilDelivered(relay: EventRelay, ms = 15_000): Promise<number> {
  const deadline = Date.now() + ms;
  for (let failed = 0; ; failed++) {
    try {
      await relay.runOnce();
      return failed;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

async function readFeed(t: TestApp): Promise<EventResponseDto[]> {
  const events: EventResponseDto[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await t.http
      .get('/events')
      .query({ ...(after && { after }), limit: 1000 })
      .expect(200);
    if (!res.body.items.length) return events;
    events.push(...res.body.items);
    after = res.body.next_cursor;
  }
}

/** Where the broker sink's cursor stands (0 before its first delivery), and the last stamped position. */
async function positions(t: TestApp): Promise<{ cursor: number; stamped: number }> {
  const db = t.app.get(DataSource);
  const [cursor] = await db.query(`SELECT position FROM event_sink_cursors WHERE sink = 'amqp'`);
  const [{ max }] = await db.query('SELECT MAX(position) AS max FROM events');
  return { cursor: Number(cursor?.position ?? 0), stamped: Number(max ?? 0) };
}

/**
 * A consumer connected straight to RabbitMQ: one exclusive queue per binding key on the test's exchange,
 * bound before the app publishes anything.
 */
class TestConsumer {
  readonly received: Record<string, ConsumeMessage[]> = {};

  private constructor(
    private readonly connection: ChannelModel,
    readonly channel: Channel,
    readonly exchange: string,
  ) {}

  static async bind(exchange: string, bindingKeys: string[]): Promise<TestConsumer> {
    const connection = await connect(AMQP_URL);
    const channel = await connection.createChannel();
    // the same declaration as the app's, so whichever comes first creates it
    await channel.assertExchange(exchange, 'topic', { durable: true });
    const consumer = new TestConsumer(connection, channel, exchange);
    for (const key of bindingKeys) {
      const messages: ConsumeMessage[] = (consumer.received[key] = []);
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, exchange, key);
      await channel.consume(queue, (message) => message && messages.push(message), { noAck: true });
    }
    return consumer;
  }

  ids(key: string): string[] {
    return this.received[key].map((message) => message.properties.messageId as string);
  }

  async close(): Promise<void> {
    await this.channel.deleteExchange(this.exchange);
    await this.connection.close();
  }
}

/** Every event once, in the order of its first arrival, and how many arrived more than once. */
function firstArrivals(ids: string[]): { unique: string[]; duplicates: number } {
  const unique = [...new Set(ids)];
  return { unique, duplicates: ids.length - unique.length };
}

describe('Message broker (e2e, RabbitMQ)', () => {
  describe('with RabbitMQ up', () => {
    let t: TestApp;
    let relay: EventRelay;
    let consumer: TestConsumer;
    beforeAll(async () => {
      const exchange = testExchange();
      consumer = await TestConsumer.bind(exchange, ['#', 'order.created']);
      t = await startApp({ env: { AMQP_URL, AMQP_EXCHANGE: exchange } });
      relay = t.app.get(EventRelay);
    });
    afterAll(async () => {
      await t?.close();
      await consumer?.close();
    });

    it('publishes every event of the feed, in feed order, with routing key = type, message_id = id, persistent, the event as JSON body', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 50 });
      const orders: Awaited<ReturnType<typeof placeOrder>>[] = [];
      for (let i = 0; i < 3; i++) orders.push(await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 2 }]));
      await t.http.patch(`/orders/${orders[0].id}/status`).send({ status: 'processing' }).expect(200);
      await t.http
        .patch(`/orders/${orders[0].id}/status`)
        .send({ status: 'shipped', carrier: 'DHL', tracking_number: 'JD0146' })
        .expect(200);
      await t.http.patch(`/orders/${orders[1].id}/status`).send({ status: 'cancelled' }).expect(200);
      await t.http.post(`/orders/${orders[2].id}/cancel`).send({ reason: 'Changed my mind' }).expect(200);

      await relay.runOnce(); // the app waited for its first connection attempt before it started
      const feed = await readFeed(t);
      await waitFor(() => consumer.received['#'].length >= feed.length, `${feed.length} messages on the # queue`);
      await sleep(200); // anything extra would have arrived by now

      const all = consumer.received['#'];
      expect(new Set(feed.map((e) => e.type))).toEqual(
        new Set(['customer.created', 'product.created', 'stock.changed', 'order.created', 'order.status_changed', 'order.cancelled']),
      );
      expect(consumer.ids('#')).toEqual(feed.map((e) => e.id));
      all.forEach((message, i) => {
        const event = feed[i];
        expect(message.fields.exchange).toBe(consumer.exchange);
        expect(message.fields.routingKey).toBe(event.type);
        expect(message.properties).toMatchObject({
          messageId: event.id,
          type: event.type,
          deliveryMode: 2,
          contentType: 'application/json',
          timestamp: Math.floor(Date.parse(event.created_at) / 1000),
        });
        expect(JSON.parse(message.content.toString())).toEqual(event);
      });
      const created = feed.filter((e) => e.type === 'order.created');
      expect(created.map((e) => e.subject.id)).toEqual(orders.map((o) => o.id));
      expect(consumer.ids('order.created')).toEqual(created.map((e) => e.id));
      const { cursor, stamped } = await positions(t);
      expect(cursor).toBe(stamped);
      console.log(
        `broker: ${feed.length} events in the feed, ${all.length} received on "#" (${firstArrivals(consumer.ids('#')).duplicates} duplicates), ` +
          `${consumer.received['order.created'].length} on "order.created" (${created.length} orders placed)`,
      );
    });

    it('a nacked message fails the batch: the cursor stays and the same events are published again', async () => {
      // a queue that refuses every message makes RabbitMQ nack what is routed to it
      const { queue } = await consumer.channel.assertQueue('', {
        exclusive: true,
        arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
      });
      await consumer.channel.bindQueue(queue, consumer.exchange, 'customer.created');
      const before = await positions(t);
      const customer = await createCustomer(t.http);

      await expect(relay.runOnce()).rejects.toThrow(/did not confirm event evt_\w+: message nacked/);
      await expect(relay.runOnce()).rejects.toThrow(/message nacked/);
      const refused = await positions(t);
      expect(refused.cursor).toBe(before.cursor);
      expect(refused.stamped).toBeGreaterThan(before.stamped);

      await consumer.channel.deleteQueue(queue);
      await relay.runOnce();
      const after = await positions(t);
      expect(after.cursor).toBe(after.stamped);

      const event = (await readFeed(t)).find((e) => e.type === 'customer.created' && e.subject.id === customer.id)!;
      await waitFor(() => consumer.ids('#').filter((id) => id === event.id).length >= 3, 'the event on the # queue');
      const copies = consumer.ids('#').filter((id) => id === event.id).length;
      console.log(
        `broker nack: 2 rounds refused, cursor held at ${before.cursor}; then confirmed; the "#" queue got the event ${copies} times (${copies - 1} duplicates)`,
      );
    });
  });

  it('starts while RabbitMQ is unreachable: deliver throws, the cursor stays, the feed still serves the events', async () => {
    const nobody = await TcpProxy.start({ host: rabbit.hostname, port: Number(rabbit.port || 5672) }, { down: true }); // a port nobody listens on
    const t = await startApp({ env: { AMQP_URL: viaProxy(nobody), AMQP_EXCHANGE: testExchange() } });
    try {
      const relay = t.app.get(EventRelay);
      expect(t.app.get(AmqpSink).connected).toBe(false);
      await createCustomer(t.http); // the API works without the broker
      await expect(relay.runOnce()).rejects.toThrow('Not connected to RabbitMQ');
      await expect(relay.runOnce()).rejects.toThrow('Not connected to RabbitMQ');
      const { cursor, stamped } = await positions(t);
      expect(cursor).toBe(0);
      expect(stamped).toBeGreaterThan(0);
      expect((await readFeed(t)).length).toBe(stamped);
      console.log(`broker unreachable: app up, 2 relay rounds refused, ${stamped} events wait in the outbox (sink cursor ${cursor})`);
    } finally {
      await t.close();
    }
  });

  it('without AMQP_URL registers nothing and opens no connection', async () => {
    const t = await startApp({ env: { AMQP_URL: '' } });
    try {
      await createCustomer(t.http);
      await t.app.get(EventRelay).runOnce();
      expect(t.app.get(AmqpSink).connected).toBe(false);
      expect(await t.app.get(DataSource).query(`SELECT * FROM event_sink_cursors WHERE sink = 'amqp'`)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  describe('when the connection breaks (through a proxy the test controls)', () => {
    let proxy: TcpProxy;
    let t: TestApp;
    let relay: EventRelay;
    let sink: AmqpSink;
    let consumer: TestConsumer;
    beforeAll(async () => {
      const exchange = testExchange();
      consumer = await TestConsumer.bind(exchange, ['#']);
      proxy = await TcpProxy.start({ host: rabbit.hostname, port: Number(rabbit.port || 5672) }, { down: true });
      t = await startApp({ env: { AMQP_URL: viaProxy(proxy), AMQP_EXCHANGE: exchange, AMQP_CONFIRM_TIMEOUT_MS: '1000' } });
      relay = t.app.get(EventRelay);
      sink = t.app.get(AmqpSink);
    });
    afterAll(async () => {
      await t?.close().catch(() => undefined);
      await proxy?.down();
      await consumer?.close();
    });

    it('reconnects by itself, with backoff, after an outage and after a dropped connection, and publishes what waited', async () => {
      await createCustomer(t.http);
      await expect(relay.runOnce()).rejects.toThrow('Not connected to RabbitMQ');

      await proxy.up(); // RabbitMQ is back
      const outageRounds = await relayUntilDelivered(relay);
      expect(sink.connected).toBe(true);
      expect((await positions(t)).cursor).toBe((await positions(t)).stamped);

      proxy.cut(); // the network drops the connection
      await waitFor(() => !sink.connected, 'the sink to notice the dropped connection');
      await createProduct(t.http);
      const started = Date.now();
      const dropRounds = await relayUntilDelivered(relay);
      const reconnectMs = Date.now() - started;
      expect(sink.connected).toBe(true);
      expect(proxy.accepted).toBeGreaterThanOrEqual(2);

      const feed = await readFeed(t);
      await waitFor(() => consumer.received['#'].length >= feed.length, `${feed.length} messages`);
      const { unique, duplicates } = firstArrivals(consumer.ids('#'));
      expect(unique).toEqual(feed.map((e) => e.id));
      console.log(
        `broker reconnect: ${outageRounds + 1} rounds refused during the outage, ${dropRounds} after the drop (reconnected in ${reconnectMs} ms); ` +
          `${feed.length} events, ${consumer.received['#'].length} received, ${duplicates} duplicates, ${proxy.accepted} connections opened`,
      );
    });

    it('a batch whose confirms never come back fails after AMQP_CONFIRM_TIMEOUT_MS and is published again on a new connection (duplicates counted)', async () => {
      const customer = await createCustomer(t.http);
      const before = await positions(t);
      proxy.swallowReplies = true; // RabbitMQ gets the messages, the app never hears back
      await expect(relay.runOnce()).rejects.toThrow('RabbitMQ did not confirm the batch within 1000 ms');
      expect((await positions(t)).cursor).toBe(before.cursor);
      expect(sink.connected).toBe(false); // the silent connection is given up at once
      proxy.swallowReplies = false;
      proxy.cut();

      await relayUntilDelivered(relay);
      const feed = await readFeed(t);
      const pending = feed.filter((e) => e.subject.id === customer.id && e.type === 'customer.created');
      await waitFor(() => consumer.ids('#').filter((id) => id === pending[0].id).length >= 2, 'the event a second time');
      const { unique, duplicates } = firstArrivals(consumer.ids('#'));
      expect(unique).toEqual(feed.map((e) => e.id));
      expect(duplicates).toBeGreaterThanOrEqual(1);
      console.log(
        `broker confirm timeout: the unconfirmed batch was published again; ${feed.length} events, ${consumer.received['#'].length} received, ${duplicates} duplicates`,
      );
    });

    it('closes its connection when the app shuts down', async () => {
      expect(proxy.openSockets).toBeGreaterThan(0);
      await t.close();
      await waitFor(() => proxy.openSockets === 0, 'the connection to close', 3000);
    });
  });
});
