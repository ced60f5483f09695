import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import type { EventResponseDto } from '../src/events/dto/event-response.dto';
import { EventRelay } from '../src/events/event-relay';
import { PER_ENDPOINT_IN_FLIGHT, WebhookDispatcher } from '../src/webhooks/webhook-dispatcher';
import { WebhookSink } from '../src/webhooks/webhook-sink';
import { onMysql, startApp, TestApp } from './support/app';
import { createCustomer, createProduct, expectProblem, placeOrder } from './support/factories';
import { feedAfter, pump } from './support/feed';
import { type Receiver, type ReceivedRequest, sleep, startReceiver, waitFor } from './support/webhook-receiver';

// the snippet the README shows receivers, loaded exactly as it is written there
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verifyWebhook } = require('../docs/verify-webhook.js') as {
  verifyWebhook: (rawBody: string, headers: Record<string, unknown>, secret: string, toleranceSeconds?: number) => boolean;
};
const SNIPPET = join(__dirname, '..', 'docs', 'verify-webhook.js');

interface RegisteredWebhook {
  id: number;
  url: string;
  event_types: string[];
  enabled: boolean;
  secret: string;
}

const register = async (t: TestApp, body: Record<string, unknown>): Promise<RegisteredWebhook> =>
  (await t.http.post('/webhooks').send(body).expect(201)).body.webhook;

const deliveriesOf = async (t: TestApp, id: number, query: Record<string, string | number> = {}) =>
  (
    await t.http
      .get(`/webhooks/${id}/deliveries`)
      .query({ limit: 100, ...query })
      .expect(200)
  ).body.items as {
    id: number;
    event_id: string;
    event_type: string;
    status: string;
    attempts: number;
    last_status_code: number | null;
    last_error: string | null;
    next_attempt_at: string | null;
    delivered_at: string | null;
    attempt_log: { attempt: number; status_code: number | null; error: string | null; duration_ms: number }[];
  }[];

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema> };

/** The event's `data` has exactly the properties that its type's schema in /docs-json documents. */
async function expectDocumented(t: TestApp, events: EventResponseDto[]): Promise<Set<string>> {
  const schemas = (await t.http.get('/docs-json').expect(200)).body.components.schemas as Record<string, Schema>;
  const resolve = (schema: Schema): Schema => {
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema.$ref ? schemas[schema.$ref.split('/').at(-1)!] : schema;
  };
  const feedItems = schemas.EventFeedPageDto.properties!.items as { items: { discriminator: { mapping: Record<string, string> } } };
  const checked = new Set<string>();
  for (const event of events) {
    const envelope = resolve({ $ref: feedItems.items.discriminator.mapping[event.type] });
    const data = resolve(envelope.properties!.data);
    expect([event.type, Object.keys(event.data).sort()]).toEqual([event.type, Object.keys(data.properties!).sort()]);
    expect([event.type, Object.keys(event).sort()]).toEqual([event.type, Object.keys(envelope.properties!).sort()]);
    checked.add(event.type);
  }
  return checked;
}

const headersOf = (request: ReceivedRequest) => request.headers as Record<string, string>;
const failingSince = async (t: TestApp, id: number) =>
  (await t.app.get(DataSource).query('SELECT failing_since FROM webhooks WHERE id = ?', [id]))[0].failing_since as string | null;

describe('Webhooks (e2e)', () => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const started = await startReceiver(...args);
    receivers.push(started);
    return started;
  };
  beforeAll(async () => {
    t = await startApp({ env: { WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms' } });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  describe('endpoints', () => {
    it('registers an endpoint and shows its secret only when created and when rotated', async () => {
      const res = await t.http
        .post('/webhooks')
        .send({ url: 'https://fulfilment.example/hooks', event_types: ['order.*', 'stock.low'], description: 'Fulfilment' })
        .expect(201);
      const webhook = res.body.webhook;
      expect(res.body.message).toBe('Webhook registered');
      expect(webhook).toEqual({
        id: expect.any(Number),
        url: 'https://fulfilment.example/hooks',
        event_types: ['order.*', 'stock.low'],
        description: 'Fulfilment',
        enabled: true,
        disabled_reason: null,
        disabled_at: null,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const { secret, ...shown } = webhook;
      expect((await t.http.get(`/webhooks/${webhook.id}`).expect(200)).body).toEqual(shown);
      const listed = (await t.http.get('/webhooks').expect(200)).body;
      expect(listed).toMatchObject({ limit: 20, offset: 0, total: expect.any(Number) });
      expect(listed.items.find((w: { id: number }) => w.id === webhook.id)).toEqual(shown);
      expect(JSON.stringify(listed)).not.toContain('whsec_');

      const updated = (
        await t.http
          .put(`/webhooks/${webhook.id}`)
          .send({ event_types: ['*'], description: null, enabled: false })
          .expect(200)
      ).body;
      expect(updated).toMatchObject({
        message: 'Webhook updated',
        webhook: { event_types: ['*'], description: null, enabled: false, url: webhook.url },
      });
      expect(updated.webhook.secret).toBeUndefined();

      const rotated = (await t.http.post(`/webhooks/${webhook.id}/rotate-secret`).expect(200)).body;
      expect(rotated).toMatchObject({ message: 'Secret rotated', webhook: { id: webhook.id, secret: expect.stringMatching(/^whsec_/) } });
      expect(rotated.webhook.secret).not.toBe(secret);
      expect((await t.http.get(`/webhooks/${webhook.id}`).expect(200)).body.secret).toBeUndefined();

      expect((await t.http.delete(`/webhooks/${webhook.id}`).expect(200)).body).toEqual({ message: `Webhook ${webhook.id} deleted` });
      expectProblem(await t.http.get(`/webhooks/${webhook.id}`), 404, 'WEBHOOK_NOT_FOUND');
      expectProblem(await t.http.get(`/webhooks/${webhook.id}/deliveries`), 404, 'WEBHOOK_NOT_FOUND');
    });

    it.each([
      ['an ftp URL', { url: 'ftp://files.example/x', event_types: ['*'] }],
      ['a relative URL', { url: '/hooks', event_types: ['*'] }],
      ['a URL with credentials', { url: 'https://user:pw@fulfilment.example/hooks', event_types: ['*'] }],
      ['no event types', { url: 'https://fulfilment.example/hooks', event_types: [] }],
      ['an unknown type', { url: 'https://fulfilment.example/hooks', event_types: ['order.exploded'] }],
      ['an unknown kind', { url: 'https://fulfilment.example/hooks', event_types: ['invoice.*'] }],
      ['a repeated type', { url: 'https://fulfilment.example/hooks', event_types: ['order.*', 'order.*'] }],
      ['a secret of its own', { url: 'https://fulfilment.example/hooks', event_types: ['*'], secret: 'whsec_mine' }],
      ['no url', { event_types: ['*'] }],
    ])('refuses %s with 400 and registers nothing', async (_, body) => {
      const before = (await t.http.get('/webhooks').expect(200)).body.total;
      expectProblem(await t.http.post('/webhooks').send(body), 400, 'VALIDATION_FAILED');
      expect((await t.http.get('/webhooks').expect(200)).body.total).toBe(before);
    });

    it('refuses bad updates with 400 and unknown endpoints with 404, changing nothing', async () => {
      const webhook = await register(t, { url: 'https://fulfilment.example/hooks', event_types: ['order.*'] });
      expectProblem(await t.http.put(`/webhooks/${webhook.id}`).send({}), 400, 'EMPTY_UPDATE');
      expectProblem(await t.http.put(`/webhooks/${webhook.id}`).send({ url: null }), 400, 'VALIDATION_FAILED');
      expectProblem(await t.http.put(`/webhooks/${webhook.id}`).send({ event_types: null }), 400, 'VALIDATION_FAILED');
      expectProblem(await t.http.put(`/webhooks/${webhook.id}`).send({ enabled: 'yes' }), 400, 'VALIDATION_FAILED');
      expectProblem(await t.http.put(`/webhooks/${webhook.id}`).send({ url: 'gopher://x' }), 400, 'VALIDATION_FAILED');
      expect((await t.http.get(`/webhooks/${webhook.id}`).expect(200)).body).toMatchObject({
        url: webhook.url,
        event_types: ['order.*'],
        enabled: true,
      });
      expectProblem(await t.http.get('/webhooks/999999'), 404, 'WEBHOOK_NOT_FOUND');
      expectProblem(await t.http.put('/webhooks/999999').send({ enabled: true }), 404, 'WEBHOOK_NOT_FOUND');
      expectProblem(await t.http.delete('/webhooks/999999'), 404, 'WEBHOOK_NOT_FOUND');
      expectProblem(await t.http.post('/webhooks/999999/rotate-secret'), 404, 'WEBHOOK_NOT_FOUND');
      expectProblem(await t.http.get('/webhooks/abc'), 400, 'INVALID_ID');
      expectProblem(await t.http.get(`/webhooks/${webhook.id}/deliveries`).query({ status: 'lost' }), 400, 'VALIDATION_FAILED');
      expectProblem(await t.anon.get('/webhooks'), 401, 'UNAUTHORIZED');
      await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
    });
  });

  describe('delivery', () => {
    it("POSTs each event once with exactly the feed's JSON, signed so that standardwebhooks and the README snippet verify it", async () => {
      await t.app.get(EventRelay).runOnce();
      const start = (await feedAfter(t)).cursor;
      const everything = await receiver();
      const ordersOnly = await receiver();
      const all = await register(t, { url: everything.url, event_types: ['*'] });
      const some = await register(t, { url: ordersOnly.url, event_types: ['order.*', 'stock.low'] });

      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 3 });
      const order = await placeOrder(t.http, customer.id, [{ product_id: product.id, quantity: 2 }]);
      // nothing goes out from the requests themselves
      await sleep(100);
      expect(everything.received).toEqual([]);

      await pump(t, 'six deliveries', () => everything.accepted().length >= 6 && ordersOnly.accepted().length >= 2);
      const { events } = await feedAfter(t, start);
      expect(events.map((e) => e.type)).toEqual([
        'customer.created',
        'product.created',
        'stock.changed',
        'stock.changed',
        'stock.low',
        'order.created',
      ]);
      const byId = new Map(events.map((e) => [e.id, e]));

      expect(everything.received.map((r) => r.event.id).sort()).toEqual(events.map((e) => e.id).sort());
      for (const request of everything.received) {
        const headers = headersOf(request);
        expect(request.body).toBe(JSON.stringify(byId.get(request.event.id)));
        expect(headers['content-type']).toBe('application/json');
        expect(headers['webhook-id']).toBe(request.event.id);
        expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
        expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
        expect(new StandardWebhook(all.secret).verify(request.body, headers)).toEqual(byId.get(request.event.id));
        expect(verifyWebhook(request.body, headers, all.secret)).toBe(true);
        // a tampered body, a replayed old timestamp, another endpoint's secret: refused
        const tampered = request.body.replace(/"id":"evt_/, '"id":"evt_x');
        expect(verifyWebhook(tampered, headers, all.secret)).toBe(false);
        expect(() => new StandardWebhook(all.secret).verify(tampered, headers)).toThrow();
        expect(
          verifyWebhook(request.body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 600) }, all.secret),
        ).toBe(false);
        expect(verifyWebhook(request.body, headers, some.secret)).toBe(false);
      }
      const placed = everything.received.find((r) => r.event.type === 'order.created')!;
      expect(placed.event).toMatchObject({ subject: { type: 'order', id: order.id }, data: order });
      expect(
        verifyWebhook(placed.body.replace(`"total_price":${order.total_price}`, '"total_price":0.01'), headersOf(placed), all.secret),
      ).toBe(false);

      expect(ordersOnly.received.map((r) => r.event.type).sort()).toEqual(['order.created', 'stock.low']);
      for (const request of ordersOnly.received) expect(verifyWebhook(request.body, headersOf(request), some.secret)).toBe(true);

      const log = await deliveriesOf(t, all.id);
      expect(log).toHaveLength(6);
      for (const delivery of log) {
        expect(delivery).toMatchObject({
          status: 'succeeded',
          attempts: 1,
          last_status_code: 200,
          last_error: null,
          next_attempt_at: null,
          delivered_at: expect.any(String),
        });
        expect(delivery.attempt_log).toEqual([
          { attempt: 1, status_code: 200, error: null, duration_ms: expect.any(Number), attempted_at: expect.any(String) },
        ]);
      }
      expect(log.map((d) => d.event_id).sort()).toEqual(events.map((e) => e.id).sort());
      // what is sent is what Swagger documents for each type
      expect([...(await expectDocumented(t, events))].sort()).toEqual([
        'customer.created',
        'order.created',
        'product.created',
        'stock.changed',
        'stock.low',
      ]);
      console.log(
        `webhooks: ${everything.received.length} + ${ordersOnly.received.length} signed deliveries, each verified by standardwebhooks and docs/verify-webhook.js, tampered bodies refused`,
      );
      await t.http.delete(`/webhooks/${all.id}`).expect(200);
      await t.http.delete(`/webhooks/${some.id}`).expect(200);
    });

    it('delivers on the third attempt to a receiver that answers 500 twice, and the log shows every attempt', async () => {
      const flaky = await receiver((_, n) => (n < 2 ? 500 : 200));
      const webhook = await register(t, { url: flaky.url, event_types: ['customer.created'] });
      const customer = await createCustomer(t.http);
      await pump(t, 'the third attempt', () => flaky.accepted().length === 1);

      expect(flaky.received.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(new Set(flaky.received.map((r) => headersOf(r)['webhook-id'])).size).toBe(1);
      expect(flaky.received[2].event).toMatchObject({ type: 'customer.created', subject: { id: customer.id } });
      for (const request of flaky.received) expect(verifyWebhook(request.body, headersOf(request), webhook.secret)).toBe(true);
      // each retry waited for its delay of WEBHOOK_RETRY_SCHEDULE (100ms)
      const gaps = flaky.received.slice(1).map((r, i) => r.arrivedAt - flaky.received[i].answeredAt);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(90);

      const [delivery] = await deliveriesOf(t, webhook.id);
      expect(delivery).toMatchObject({
        status: 'succeeded',
        attempts: 3,
        last_status_code: 200,
        last_error: null,
        next_attempt_at: null,
        delivered_at: expect.any(String),
      });
      expect(delivery.attempt_log.map(({ attempt, status_code, error }) => ({ attempt, status_code, error }))).toEqual([
        { attempt: 1, status_code: 500, error: 'The receiver answered 500' },
        { attempt: 2, status_code: 500, error: 'The receiver answered 500' },
        { attempt: 3, status_code: 200, error: null },
      ]);
      expect(await failingSince(t, webhook.id)).toBeNull();
      console.log(`webhooks: 500, 500, then 200 on attempt 3; gaps between attempts ${gaps.join(', ')} ms (schedule 100ms,100ms,100ms)`);
      await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
    });

    it('marks a delivery failed after the last delay of the schedule; a retry then makes exactly one more attempt', async () => {
      const down = await receiver(() => 503);
      const webhook = await register(t, { url: down.url, event_types: ['customer.created'] });
      await createCustomer(t.http);
      await pump(t, 'the delivery to fail', async () => (await deliveriesOf(t, webhook.id))[0]?.status === 'failed');
      let [delivery] = await deliveriesOf(t, webhook.id);
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 4,
        last_status_code: 503,
        last_error: 'The receiver answered 503',
        next_attempt_at: null,
        delivered_at: null,
      });
      expect(delivery.attempt_log.map((a) => a.status_code)).toEqual([503, 503, 503, 503]);
      expect(down.received).toHaveLength(4);
      // failing for less than WEBHOOK_DISABLE_AFTER (5d): still enabled
      expect((await t.http.get(`/webhooks/${webhook.id}`).expect(200)).body).toMatchObject({ enabled: true, disabled_reason: null });
      expect(await failingSince(t, webhook.id)).not.toBeNull();

      await t.http.post(`/webhooks/${webhook.id}/deliveries/${delivery.id}/retry`).expect(202);
      await pump(t, 'the retried attempt', async () => (await deliveriesOf(t, webhook.id))[0].attempts === 5);
      [delivery] = await deliveriesOf(t, webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 5, next_attempt_at: null });
      expect(down.received).toHaveLength(5);
      await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
    });

    it('disables the endpoint at once on 410 Gone, with the reason in GET, and sends it nothing more', async () => {
      const gone = await receiver(() => 410);
      const webhook = await register(t, { url: gone.url, event_types: ['customer.*'] });
      await createCustomer(t.http);
      await pump(t, 'the 410', () => gone.received.length === 1);

      const shown = (await t.http.get(`/webhooks/${webhook.id}`).expect(200)).body;
      expect(shown).toMatchObject({ enabled: false, disabled_reason: 'The endpoint answered 410 Gone', disabled_at: expect.any(String) });
      const [delivery] = await deliveriesOf(t, webhook.id);
      expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 410, next_attempt_at: null });

      await createCustomer(t.http);
      await pump(t, 'a round', () => true);
      await sleep(200);
      await pump(t, 'another round', () => true);
      expect(gone.received).toHaveLength(1);
      expect(await deliveriesOf(t, webhook.id)).toHaveLength(1);
      expectProblem(await t.http.post(`/webhooks/${webhook.id}/deliveries/${delivery.id}/retry`), 409, 'WEBHOOK_DISABLED');

      const enabled = (await t.http.put(`/webhooks/${webhook.id}`).send({ enabled: true }).expect(200)).body.webhook;
      expect(enabled).toMatchObject({ enabled: true, disabled_reason: null, disabled_at: null });
      await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
    });

    it('delivers again on retry (202), with the same webhook-id, from the dispatcher rather than the request', async () => {
      const ok = await receiver();
      const webhook = await register(t, { url: ok.url, event_types: ['customer.created'] });
      const other = await register(t, { url: ok.url, event_types: ['product.created'] });
      await createCustomer(t.http);
      await pump(t, 'the first delivery', () => ok.received.length === 1);
      const [delivery] = await deliveriesOf(t, webhook.id);

      const res = await t.http.post(`/webhooks/${webhook.id}/deliveries/${delivery.id}/retry`).expect(202);
      expect(res.body).toMatchObject({
        message: 'Delivery queued',
        delivery: { id: delivery.id, status: 'pending', attempts: 1, next_attempt_at: expect.any(String), delivered_at: null },
      });
      await sleep(100);
      expect(ok.received).toHaveLength(1);
      await pump(t, 'the second delivery', () => ok.received.length === 2);
      expect(headersOf(ok.received[1])['webhook-id']).toBe(headersOf(ok.received[0])['webhook-id']);
      expect(ok.received[1].body).toBe(ok.received[0].body);
      expect(verifyWebhook(ok.received[1].body, headersOf(ok.received[1]), webhook.secret)).toBe(true);
      const [again] = await deliveriesOf(t, webhook.id);
      expect(again).toMatchObject({ status: 'succeeded', attempts: 2, delivered_at: expect.any(String) });
      expect(again.attempt_log.map((a) => [a.attempt, a.status_code])).toEqual([
        [1, 200],
        [2, 200],
      ]);

      expectProblem(await t.http.post(`/webhooks/${webhook.id}/deliveries/999999/retry`), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
      expectProblem(await t.http.post(`/webhooks/${other.id}/deliveries/${delivery.id}/retry`), 404, 'WEBHOOK_DELIVERY_NOT_FOUND');
      expectProblem(await t.http.post(`/webhooks/999999/deliveries/${delivery.id}/retry`), 404, 'WEBHOOK_NOT_FOUND');
      expectProblem(await t.http.post(`/webhooks/${webhook.id}/deliveries/x/retry`), 400, 'INVALID_ID');
      await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
      await t.http.delete(`/webhooks/${other.id}`).expect(200);
    });

    it('refuses to retry a delivery while it is being sent (409)', async () => {
      const slow = await receiver(() => ({ status: 200, delayMs: 700 }));
      const webhook = await register(t, { url: slow.url, event_types: ['customer.created'] });
      await createCustomer(t.http);
      await t.app.get(EventRelay).runOnce();
      expect(await t.app.get(WebhookDispatcher).runOnce()).toBeGreaterThanOrEqual(1);
      const [delivery] = await deliveriesOf(t, webhook.id);
      expectProblem(await t.http.post(`/webhooks/${webhook.id}/deliveries/${delivery.id}/retry`), 409, 'WEBHOOK_DELIVERY_IN_PROGRESS');
      await t.app.get(WebhookDispatcher).idle();
      expect((await deliveriesOf(t, webhook.id))[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
      await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
    });

    it('adds no delivery when the relay hands the same events over again (after a crash)', async () => {
      await t.app.get(EventRelay).runOnce();
      const start = (await feedAfter(t)).cursor;
      const webhook = await register(t, { url: 'http://127.0.0.1:9/unused', event_types: ['customer.*'] });
      await createCustomer(t.http);
      await createCustomer(t.http);
      await t.app.get(EventRelay).runOnce();
      const { events } = await feedAfter(t, start);
      expect(await deliveriesOf(t, webhook.id)).toHaveLength(2);
      const sink = t.app.get(WebhookSink);
      await sink.deliver(events);
      await sink.deliver(events.slice(1));
      expect((await deliveriesOf(t, webhook.id)).map((d) => d.event_id).sort()).toEqual(events.map((e) => e.id).sort());
      await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
    });
  });

  it('holds the README snippet equal to docs/verify-webhook.js', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(readFileSync(SNIPPET, 'utf8').trim());
  });
});

describe('Webhooks to endpoints that hang or keep failing (e2e)', () => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    t = await startApp({
      env: { WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_RETRY_SCHEDULE: Array(20).fill('100ms').join(','), WEBHOOK_DISABLE_AFTER: '1s' },
    });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('gives up on an attempt after WEBHOOK_TIMEOUT_MS and logs it', async () => {
    const hanging = await startReceiver(() => ({ status: 200, delayMs: 3000 }));
    receivers.push(hanging);
    const webhook = await register(t, { url: hanging.url, event_types: ['customer.created'] });
    await createCustomer(t.http);
    await pump(t, 'a timed-out attempt', async () => (await deliveriesOf(t, webhook.id))[0]?.attempts >= 1);
    const [delivery] = await deliveriesOf(t, webhook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      last_status_code: null,
      last_error: 'No answer within 300 ms (WEBHOOK_TIMEOUT_MS)',
      next_attempt_at: expect.any(String),
    });
    expect(delivery.attempt_log[0].duration_ms).toBeGreaterThanOrEqual(290);
    expect(delivery.attempt_log[0].duration_ms).toBeLessThan(2000);
    await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
  });

  it('disables an endpoint whose attempts have all failed for WEBHOOK_DISABLE_AFTER, with the reason', async () => {
    const failing = await startReceiver(() => 500);
    receivers.push(failing);
    const webhook = await register(t, { url: failing.url, event_types: ['customer.created'] });
    await createCustomer(t.http);
    await pump(t, 'the endpoint to be disabled', async () => !(await t.http.get(`/webhooks/${webhook.id}`)).body.enabled);
    const shown = (await t.http.get(`/webhooks/${webhook.id}`).expect(200)).body;
    expect(shown.disabled_reason).toBe('Every attempt failed for 1s (WEBHOOK_DISABLE_AFTER); the last: The receiver answered 500');
    const failedFor = failing.received.at(-1)!.answeredAt - failing.received[0].arrivedAt;
    expect(failedFor).toBeGreaterThanOrEqual(900);
    const [delivery] = await deliveriesOf(t, webhook.id);
    // disabled before the schedule ran out: the delivery waits, pending, for the endpoint to be enabled again
    expect(delivery).toMatchObject({ status: 'pending', attempts: failing.received.length });
    console.log(
      `webhooks: endpoint disabled after ${failing.received.length} failed attempts over ${failedFor} ms (WEBHOOK_DISABLE_AFTER=1s)`,
    );
    await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
  });
});

describe('Webhook URLs where loopback receivers are refused (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ env: { WEBHOOK_ALLOW_LOOPBACK: 'false' } })));
  afterAll(() => t.close());

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://localhost/hook',
    'http://[::1]/hook',
    'http://169.254.169.254/latest',
    'http://2130706433/hook',
    'http://[::ffff:127.0.0.1]/hook',
  ])('refuses %s with 400 WEBHOOK_URL_NOT_ALLOWED', async (url) => {
    const body = expectProblem(await t.http.post('/webhooks').send({ url, event_types: ['*'] }), 400, 'WEBHOOK_URL_NOT_ALLOWED');
    expect(body.errors).toEqual([{ field: 'url', message: expect.stringContaining('loopback') }]);
  });

  it('accepts private addresses, where internal services live, and refuses moving an endpoint to the loopback', async () => {
    const webhook = await register(t, { url: 'http://10.0.0.5:8080/hook', event_types: ['*'] });
    expectProblem(await t.http.put(`/webhooks/${webhook.id}`).send({ url: 'http://127.0.0.1/hook' }), 400, 'WEBHOOK_URL_NOT_ALLOWED');
    expect((await t.http.get(`/webhooks/${webhook.id}`).expect(200)).body.url).toBe('http://10.0.0.5:8080/hook');
  });
});

describe('Webhooks with the relay and dispatcher loops running (e2e)', () => {
  let t: TestApp;
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    t = await startApp({
      env: {
        EVENTS_RELAY_ENABLED: 'true',
        EVENTS_RELAY_INTERVAL_MS: '50',
        WEBHOOK_DISPATCH_INTERVAL_MS: '20',
        WEBHOOK_TIMEOUT_MS: '5000',
        WEBHOOK_RETRY_SCHEDULE: Array(15).fill('50ms').join(','),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
  });
  const eventCount = async () => Number((await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM events'))[0].n);

  it("50 status changes and cancels across 10 orders: each subject's events reach the endpoint in feed order", async () => {
    // a receiver that takes 0-30 ms and refuses one request in five: without per-subject ordering, a later event
    // of an order or product would overtake an earlier one still in flight or waiting for its retry
    const receiver = await startReceiver(() => ({ status: Math.random() < 0.2 ? 500 : 200, delayMs: Math.floor(Math.random() * 30) }));
    receivers.push(receiver);
    const before = await eventCount();
    const start = (await feedAfter(t)).cursor;
    const started = Date.now();
    const webhook = await register(t, { url: receiver.url, event_types: ['*'] });
    const customer = await createCustomer(t.http);
    const products = [await createProduct(t.http, { stock_quantity: 1000 }), await createProduct(t.http, { stock_quantity: 1000 })];
    const orders = await Promise.all(
      Array.from({ length: 10 }, () =>
        placeOrder(
          t.http,
          customer.id,
          products.map((p) => ({ product_id: p.id, quantity: 1 })),
        ),
      ),
    );
    // per order, five requests one after another; the ten orders side by side
    const move = (id: number, step: string) =>
      step === 'cancel' ? t.http.post(`/orders/${id}/cancel`).send({}) : t.http.patch(`/orders/${id}/status`).send({ status: step });
    const plans = [
      ['processing', 'shipped', 'cancel', 'delivered', 'processing'],
      ['processing', 'cancel', 'shipped', 'delivered', 'cancel'],
    ];
    const statuses = await Promise.all(
      orders.map(async (order, i) => {
        const answered: number[] = [];
        for (const step of plans[i % 2]) answered.push((await move(order.id, step)).status);
        return answered;
      }),
    );
    expect(statuses.flat()).toHaveLength(50);
    expect(new Set(statuses.flat())).toEqual(new Set([200, 409]));

    const expected = (await eventCount()) - before;
    const changesMs = Date.now() - started;
    await waitFor('every event to be accepted', () => receiver.accepted().length >= expected, 30_000);
    const allMs = Date.now() - started;
    const { events } = await feedAfter(t, start);
    expect(events).toHaveLength(expected);
    const subjectOf = (e: EventResponseDto) => `${e.subject.type}:${e.subject.id}`;
    const inFeed = new Map<string, string[]>();
    for (const e of events) inFeed.set(subjectOf(e), [...(inFeed.get(subjectOf(e)) ?? []), e.id]);
    const atReceiver = new Map<string, string[]>();
    for (const e of receiver.accepted()) atReceiver.set(subjectOf(e), [...(atReceiver.get(subjectOf(e)) ?? []), e.id]);
    for (const [subject, ids] of inFeed) expect([subject, atReceiver.get(subject)]).toEqual([subject, ids]);
    // and the orders' own story, as the receiver saw it
    for (const [i, order] of orders.entries()) {
      const story = receiver
        .accepted()
        .filter((e) => e.subject.type === 'order' && e.subject.id === order.id)
        .map((e) => (e.data as { status: string }).status);
      expect(story).toEqual(i % 2 ? ['pending', 'processing', 'cancelled'] : ['pending', 'processing', 'shipped', 'delivered']);
    }
    expect([...(await expectDocumented(t, receiver.accepted()))].sort()).toEqual([
      'customer.created',
      'order.cancelled',
      'order.created',
      'order.status_changed',
      'product.created',
      'stock.changed',
    ]);
    const refused = receiver.received.filter((r) => r.status >= 300).length;
    console.log(
      `webhook ordering: ${expected} events over ${inFeed.size} subjects (10 orders, 2 products with ${inFeed.get(`product:${products[0].id}`)!.length} events each) ` +
        `all accepted in feed order per subject ${allMs} ms after the first change (the 50 changes took ${changesMs} ms); ` +
        `${refused} attempts refused and retried; at most ${receiver.maxInFlight()} in flight at the receiver`,
    );
    expect(receiver.maxInFlight()).toBeLessThanOrEqual(PER_ENDPOINT_IN_FLIGHT);
    await t.http.delete(`/webhooks/${webhook.id}`).expect(200);
  });

  it('a slow endpoint does not delay a fast one', async () => {
    // 4 s an answer, under the 5 s timeout: long enough that "before the slow one answered once" holds on a loaded machine
    const slow = await startReceiver(() => ({ status: 200, delayMs: 4000 }));
    const fast = await startReceiver();
    receivers.push(slow, fast);
    const slowHook = await register(t, { url: slow.url, event_types: ['customer.created'] });
    const fastHook = await register(t, { url: fast.url, event_types: ['customer.created'] });
    const started = Date.now();
    const customers = await Promise.all(Array.from({ length: 10 }, () => createCustomer(t.http)));
    const ours = (r: Receiver) => r.accepted().filter((e) => customers.some((c) => c.id === e.subject.id));

    await waitFor('the fast endpoint to get all ten', () => ours(fast).length === 10);
    const fastMs = Date.now() - started;
    const slowAnswered = slow.received.length;
    const slowInFlight = slow.inFlight();
    // the fast endpoint had everything before the slow one answered even once (4 s), let alone timed out (5 s)
    expect(fastMs).toBeLessThan(4000);
    expect(slowAnswered).toBe(0);
    expect(slowInFlight).toBeLessThanOrEqual(PER_ENDPOINT_IN_FLIGHT);

    await waitFor('the slow endpoint to get all ten', () => ours(slow).length === 10, 30_000);
    const slowMs = Date.now() - started;
    console.log(
      `webhook isolation: fast endpoint had 10/10 events after ${fastMs} ms while the slow one (4 s per answer, ${PER_ENDPOINT_IN_FLIGHT} in flight at most) ` +
        `had answered ${slowAnswered} with ${slowInFlight} in flight; slow endpoint 10/10 after ${slowMs} ms, max ${slow.maxInFlight()} in flight`,
    );
    expect(slow.maxInFlight()).toBeLessThanOrEqual(PER_ENDPOINT_IN_FLIGHT);
    await t.http.delete(`/webhooks/${slowHook.id}`).expect(200);
    await t.http.delete(`/webhooks/${fastHook.id}`).expect(200);
  });
});

// Two instances need one shared database: MariaDB only.
(onMysql ? describe : describe.skip)('Webhooks over two instances on MariaDB (e2e)', () => {
  it('sends every delivery once while both instances dispatch: claims keep them from sending the same one', async () => {
    const env = {
      EVENTS_RELAY_ENABLED: 'true',
      EVENTS_RELAY_INTERVAL_MS: '50',
      WEBHOOK_DISPATCH_INTERVAL_MS: '20',
      WEBHOOK_RETRY_SCHEDULE: '50ms,50ms,50ms',
    };
    const a = await startApp({ env });
    const b = await startApp({ database: a.database, reuse: true, env });
    const receiver = await startReceiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 20) }));
    // how many attempts each instance's dispatcher made
    const sent = [a, b].map((t) => {
      const dispatcher = t.app.get(WebhookDispatcher) as unknown as { send: (...args: unknown[]) => Promise<void> };
      const counter = { attempts: 0 };
      const send = dispatcher.send.bind(dispatcher);
      dispatcher.send = (...args) => (counter.attempts++, send(...args));
      return counter;
    });
    try {
      await register(a, { url: receiver.url, event_types: ['customer.created'] });
      const started = Date.now();
      const customers = await Promise.all(Array.from({ length: 200 }, (_, i) => createCustomer((i % 2 ? a : b).http)));
      const createdMs = Date.now() - started;
      await waitFor('200 deliveries', () => receiver.received.length >= 200, 30_000);
      const deliveredMs = Date.now() - started;
      await sleep(300);
      const ids = receiver.received.map((r) => headersOf(r)['webhook-id']);
      expect(ids).toHaveLength(200);
      expect(new Set(ids).size).toBe(200);
      expect(new Set(receiver.received.map((r) => r.event.subject.id))).toEqual(new Set(customers.map((c) => c.id)));
      expect(sent[0].attempts + sent[1].attempts).toBe(200);
      console.log(
        `webhooks over 2 instances: 200 events (created in ${createdMs} ms, all delivered after ${deliveredMs} ms), ${ids.length} requests, ` +
          `${ids.length - new Set(ids).size} sent twice; attempts by instance ${sent[0].attempts} + ${sent[1].attempts}, max ${receiver.maxInFlight()} in flight`,
      );
    } finally {
      await b.close();
      await a.close();
      await receiver.close();
    }
  }, 120_000);
});
