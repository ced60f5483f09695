import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { type Actor, systemActor } from '../src/common/actor';
import { EventRelay } from '../src/events/event-relay';
import { RestockJob } from '../src/scheduling/restock.job';
import { ENV_KEY_ACTOR, startApp, type TestApp } from './support/app';
import { type Caller, customerCaller, serviceCaller } from './support/callers';
import { feedAfter, pump } from './support/feed';
import { createProduct, loggedInCustomer } from './support/factories';
import { incomingMismatches, unbalancedProducts } from './support/ledger';
import { type Receiver, startReceiver } from './support/webhook-receiver';

/** An event as the audit trail must show it: its type, who made it, and the request it came from (null: scheduled). */
type Audited = [type: string, actor: Actor, requestId: string | null];

const RESTOCK_PASS = systemActor('restock');

/**
 * A scripted day. Customers place and cancel their own orders; a service (X-API-Key) places an order for a
 * customer, moves orders, cancels one, adjusts stock, runs a restock pass and orders, receives and cancels
 * replenishments; the scheduler runs the restock pass. Afterwards every tracking entry, movement, replenishment
 * and event names the one who did it, and every event carries its request's X-Request-Id (null: scheduled work):
 * in the outbox, in the feed and in webhook deliveries (body and X-Request-Id header).
 */
describe('Audit trail (e2e)', () => {
  let t: TestApp;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver();
    // the restock job is registered, on a cron that does not come round during the suite: the test fires it
    t = await startApp({ env: { RESTOCK_ENABLED: 'true', RESTOCK_CRON: '0 0 0 1 1 *' } });
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });
  afterEach(async () => {
    expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]);
    expect(await incomingMismatches(t.app.get(DataSource))).toEqual([]);
  });

  /** Requests as `caller`, each with this X-Request-Id, which the answer must echo. */
  const as = (caller: Caller, requestId: string) => {
    const send = (method: 'post' | 'put' | 'patch') => async (path: string, body: object, status: number) => {
      const res = await request(t.url)[method](path).set(caller.headers).set('X-Request-Id', requestId).send(body).expect(status);
      expect(res.headers['x-request-id']).toBe(requestId);
      return res.body;
    };
    return { post: send('post'), put: send('put'), patch: send('patch') };
  };
  const outboxSince = async (id: number): Promise<Audited[]> =>
    (
      (await t.app.get(DataSource).query('SELECT type, actor, request_id FROM events WHERE id > ? ORDER BY id', [id])) as {
        type: string;
        actor: string;
        request_id: string | null;
      }[]
    ).map((row) => [row.type, JSON.parse(row.actor) as Actor, row.request_id]);
  const lastEventId = async () => Number((await t.app.get(DataSource).query('SELECT COALESCE(MAX(id), 0) AS id FROM events'))[0].id);
  const track = async (orderId: number) =>
    ((await t.http.get(`/orders/${orderId}/track`).expect(200)).body.history as { status: string; actor: Actor }[]).map((h) => [
      h.status,
      h.actor,
    ]);
  const movements = async (productId: number) =>
    (
      (await t.http.get(`/products/${productId}/stock/movements`).query({ limit: 100 }).expect(200)).body.items as {
        type: string;
        delta: number;
        actor: Actor;
      }[]
    ).map((m) => [m.type, m.delta, m.actor]);
  const replenishmentActors = async (id: number) => {
    const { created_by, received_by, cancelled_by } = (await t.http.get(`/replenishments/${id}`).expect(200)).body;
    return { created_by, received_by, cancelled_by };
  };

  it('names who did each thing of a scripted day, everywhere it is shown, with the request it came from', async () => {
    // the day's cast and stock, set up by the suite's administrator key
    const service = await serviceCaller(t);
    const [a, b] = [await loggedInCustomer(t.http), await loggedInCustomer(t.http)];
    const alice = customerCaller(a.customer.id, a.token);
    const bob = customerCaller(b.customer.id, b.token);
    const p1 = await createProduct(t.http, { stock_quantity: 10, reorder_threshold: 3, reorder_quantity: 10 });
    const p2 = await createProduct(t.http, { stock_quantity: 5 });
    const p3 = await createProduct(t.http, { stock_quantity: 0, lead_time_days: 5 });
    const p4 = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 2, reorder_quantity: 4 });
    // the webhooks destination has taken everything so far: the endpoint receives the day's events only
    await t.app.get(EventRelay).runOnce();
    await t.http
      .post('/webhooks')
      .send({ url: receiver.url, event_types: ['*'] })
      .expect(201);
    const { cursor } = await feedAfter(t);
    const dayStart = await lastEventId();

    const expected: Audited[] = [];
    /** What a step must have written to the outbox: these events, by this caller, under this request id. */
    const wrote = (caller: Caller | Actor, requestId: string | null, ...types: string[]) =>
      expected.push(...types.map((type): Audited => [type, 'headers' in caller ? caller.actor : caller, requestId]));
    const orderFor = (customerId: number, productId: number, quantity: number) => ({
      customer_id: customerId,
      items: [{ product_id: productId, quantity }],
    });

    // customers order and cancel for themselves
    const o1 = (await as(alice, 'day-01').post('/orders', orderFor(a.customer.id, p1.id, 2), 201)).order;
    wrote(alice, 'day-01', 'stock.changed', 'order.created');
    const o2 = (await as(alice, 'day-02').post('/orders', orderFor(a.customer.id, p2.id, 1), 201)).order;
    wrote(alice, 'day-02', 'stock.changed', 'order.created');
    await as(alice, 'day-03').post(`/orders/${o2.id}/cancel`, { reason: 'Changed my mind' }, 200);
    wrote(alice, 'day-03', 'stock.changed', 'order.cancelled');
    const o3 = (await as(bob, 'day-04').post('/orders', orderFor(b.customer.id, p1.id, 1), 201)).order;
    wrote(bob, 'day-04', 'stock.changed', 'order.created');
    // the service orders for bob (p1: 7 → 2, at its threshold of 3), and moves alice's order on
    const o4 = (await as(service, 'day-05').post('/orders', orderFor(b.customer.id, p1.id, 5), 201)).order;
    wrote(service, 'day-05', 'stock.changed', 'stock.low', 'order.created');
    await as(service, 'day-06').patch(`/orders/${o1.id}/status`, { status: 'processing' }, 200);
    wrote(service, 'day-06', 'order.status_changed');
    await as(service, 'day-07').patch(`/orders/${o1.id}/status`, { status: 'shipped', carrier: 'DHL' }, 200);
    wrote(service, 'day-07', 'order.status_changed');

    // the scheduler's restock pass: p1 is low, and with lead time 0 its order is received at once
    await t.app.get(SchedulerRegistry).getCronJob(RestockJob.NAME).fireOnTick();
    wrote(RESTOCK_PASS, null, 'replenishment.created', 'stock.changed', 'replenishment.received');

    // the service cancels bob's order; bob cancels the one the service placed for him
    await as(service, 'day-09').post(`/orders/${o3.id}/cancel`, {}, 200);
    wrote(service, 'day-09', 'stock.changed', 'order.cancelled');
    await as(service, 'day-10').patch(`/orders/${o4.id}/status`, { status: 'processing' }, 200);
    wrote(service, 'day-10', 'order.status_changed');
    await as(bob, 'day-11').post(`/orders/${o4.id}/cancel`, {}, 200);
    wrote(bob, 'day-11', 'stock.changed', 'order.cancelled');
    // a refused request writes nothing, and so names no one
    await as(alice, 'day-12').post(`/orders/${o1.id}/cancel`, {}, 409);

    // the service adjusts stock, and runs a restock pass itself: that pass is the service's act
    await as(service, 'day-13').patch(`/products/${p2.id}/stock`, { adjustment: -2, reason: 'Damaged' }, 200);
    wrote(service, 'day-13', 'stock.changed');
    await as(service, 'day-14').patch(`/products/${p4.id}/stock`, { adjustment: -4 }, 200);
    wrote(service, 'day-14', 'stock.changed', 'stock.low');
    const pass = await as(service, 'day-15').post('/inventory/restock', {}, 200);
    expect(pass.replenishments.map((r: { product_id: number }) => r.product_id)).toEqual([p4.id]);
    wrote(service, 'day-15', 'replenishment.created', 'stock.changed', 'replenishment.received');

    // the service orders from a supplier, receives part, and cancels a second order
    const r3 = (await as(service, 'day-16').post('/replenishments', { product_id: p3.id, quantity: 10 }, 201)).replenishment;
    wrote(service, 'day-16', 'replenishment.created');
    await as(service, 'day-17').post(`/replenishments/${r3.id}/receive`, { quantity: 4 }, 200);
    wrote(service, 'day-17', 'stock.changed', 'replenishment.received');
    const r4 = (await as(service, 'day-18').post('/replenishments', { product_id: p3.id, quantity: 5 }, 201)).replenishment;
    wrote(service, 'day-18', 'replenishment.created');
    await as(service, 'day-19').post(`/replenishments/${r4.id}/cancel`, {}, 200);
    wrote(service, 'day-19', 'replenishment.cancelled');
    // a customer updating their own record is their act too
    await as(alice, 'day-20').put(`/customers/${a.customer.id}`, { name: 'Alice' }, 200);
    wrote(alice, 'day-20', 'customer.updated');

    // tracking: each entry names who placed, moved or cancelled the order
    const admin = ENV_KEY_ACTOR;
    expect(await track(o1.id)).toEqual([
      ['pending', alice.actor],
      ['processing', service.actor],
      ['shipped', service.actor],
    ]);
    expect(await track(o2.id)).toEqual([
      ['pending', alice.actor],
      ['cancelled', alice.actor],
    ]);
    expect(await track(o3.id)).toEqual([
      ['pending', bob.actor],
      ['cancelled', service.actor],
    ]);
    expect(await track(o4.id)).toEqual([
      ['pending', service.actor],
      ['processing', service.actor],
      ['cancelled', bob.actor],
    ]);
    // a customer reads the same history of their own order
    const own = (await request(t.url).get(`/orders/${o4.id}/track`).set(bob.headers).expect(200)).body.history;
    expect(own.map((h: { actor: Actor }) => h.actor)).toEqual([service.actor, service.actor, bob.actor]);

    // the ledger, newest first: every movement names who moved the stock
    expect(await movements(p1.id)).toEqual([
      ['cancel', 5, bob.actor],
      ['cancel', 1, service.actor],
      ['restock', 10, RESTOCK_PASS],
      ['order', -5, service.actor],
      ['order', -1, bob.actor],
      ['order', -2, alice.actor],
      ['initial', 10, admin],
    ]);
    expect(await movements(p2.id)).toEqual([
      ['adjustment', -2, service.actor],
      ['cancel', 1, alice.actor],
      ['order', -1, alice.actor],
      ['initial', 5, admin],
    ]);
    expect(await movements(p3.id)).toEqual([
      ['restock', 4, service.actor],
      ['initial', 0, admin],
    ]);
    expect(await movements(p4.id)).toEqual([
      ['restock', 4, service.actor],
      ['adjustment', -4, service.actor],
      ['initial', 5, admin],
    ]);

    // replenishments: who ordered, received and cancelled each
    const [automatic] = (await t.http.get('/replenishments').query({ product_id: p1.id }).expect(200)).body.items;
    expect(await replenishmentActors(automatic.id)).toEqual({ created_by: RESTOCK_PASS, received_by: RESTOCK_PASS, cancelled_by: null });
    expect(await replenishmentActors(pass.replenishments[0].id)).toEqual({
      created_by: service.actor,
      received_by: service.actor,
      cancelled_by: null,
    });
    expect(await replenishmentActors(r3.id)).toEqual({ created_by: service.actor, received_by: service.actor, cancelled_by: null });
    expect(await replenishmentActors(r4.id)).toEqual({ created_by: service.actor, received_by: null, cancelled_by: service.actor });

    // events: in the outbox, in the feed and in every webhook delivery, each names its actor and its request
    expect(await outboxSince(dayStart)).toEqual(expected);
    await pump(t, "the day's deliveries", () => receiver.accepted().length >= expected.length);
    const { events } = await feedAfter(t, cursor);
    expect(events.map((e): Audited => [e.type, e.actor!, e.request_id])).toEqual(expected);
    // subjects are delivered side by side, so deliveries arrive in feed order per subject only: matched by event id
    const inFeed = new Map(events.map((event) => [event.id, event]));
    expect(receiver.received.map((r) => r.event.id).sort()).toEqual([...inFeed.keys()].sort());
    for (const { event, headers } of receiver.received) {
      expect(event).toEqual(inFeed.get(event.id));
      expect([event.type, headers['x-request-id']]).toEqual([event.type, event.request_id ?? undefined]);
    }
  });

  it('carries a generated request id when the caller sends none, and shows null for what was recorded before the audit trail', async () => {
    const product = await createProduct(t.http, { stock_quantity: 3 });
    const res = await t.http.patch(`/products/${product.id}/stock`).send({ adjustment: 1 }).expect(200);
    const generated = res.headers['x-request-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    const [latest] = (await t.http.get(`/products/${product.id}/stock/movements`).expect(200)).body.items;
    expect(latest).toMatchObject({ type: 'adjustment', actor: ENV_KEY_ACTOR });
    const [event] = (await t.app.get(DataSource).query('SELECT request_id FROM events ORDER BY id DESC LIMIT 1')) as {
      request_id: string;
    }[];
    expect(event.request_id).toBe(generated);

    // rows from before this version have no actor (the migration adds the columns empty)
    await t.app.get(DataSource).query('UPDATE stock_movements SET actor = NULL WHERE product_id = ?', [product.id]);
    const ledger = (await t.http.get(`/products/${product.id}/stock/movements`).expect(200)).body.items;
    expect(ledger.map((m: { actor: Actor | null }) => m.actor)).toEqual([null, null]);
  });
});
