import { DataSource } from 'typeorm';
import { createEcommerceClient, type EcommerceClient } from '../clients/typescript/src/index';
import { expectProblem } from './support/factories';
import { unbalancedProducts } from './support/ledger';
import { startApp, TEST_API_KEY, TestApp } from './support/app';

type Answer = { data?: unknown; error?: unknown; response: Response };

/** The data of a 2xx answer, typed as the client types it; any other answer fails the test with its problem. */
async function ok<A extends Answer>(call: Promise<A>): Promise<NonNullable<A['data']>> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) throw new Error(`expected a 2xx, got ${response.status}: ${JSON.stringify(error)}`);
  return data as NonNullable<A['data']>;
}

/** The problem details of an error answer, after the checks every error of the API must pass (shape, media type, no leak). */
async function problem<A extends Answer>(call: Promise<A>, status: number, code: string): Promise<NonNullable<A['error']>> {
  const { data, error, response } = await call;
  expect(data).toBeUndefined();
  expectProblem(
    { status: response.status, headers: Object.fromEntries(response.headers), body: error as Record<string, unknown> },
    status,
    code,
  );
  return error as NonNullable<A['error']>;
}

/**
 * The typed client (clients/typescript) against a real server listening on a port, used as an integrating service
 * uses it: every call below goes through the client, none through supertest.
 */
describe('Typed client (e2e)', () => {
  let t: TestApp;
  /** The administrator's key from API_KEYS. */
  let admin: EcommerceClient;
  /** Every request the admin client sent, as fetch saw it. */
  let sent: Request[];

  beforeAll(async () => {
    t = await startApp();
    admin = createEcommerceClient({
      baseUrl: t.url,
      apiKey: TEST_API_KEY,
      fetch: (request) => {
        sent.push(request);
        return fetch(request);
      },
    });
  });
  beforeEach(() => (sent = []));
  afterAll(() => t.close());
  afterEach(async () => expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]));

  let sequence = 0;
  const newCustomer = () =>
    ok(admin.POST('/customers', { body: { name: 'Integrated Customer', email: `typed-${++sequence}-${Date.now()}@example.com` } }));
  const newProduct = (price: number, stock: number) =>
    ok(admin.POST('/products', { body: { name: `Typed product ${++sequence}`, price, stock_quantity: stock } }));

  describe('an integrating service with an API key', () => {
    it('creates a product and a customer, places an order, follows it to delivered and reads its track', async () => {
      const { product } = await newProduct(19.99, 10);
      expect(product).toMatchObject({ price: 19.99, stock_quantity: 10 });
      const { customer } = await newCustomer();

      const { order } = await ok(
        admin.POST('/orders', { body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 3 }] } }),
      );
      expect(order).toMatchObject({
        customer_id: customer.id,
        status: 'pending',
        items: [{ product_id: product.id, product_name: product.name, unit_price: 19.99, quantity: 3, line_total: 59.97 }],
        total_price: 59.97,
      });

      const moveTo = (body: { status: 'processing' | 'shipped' | 'delivered'; carrier?: string; tracking_number?: string }) =>
        ok(admin.PATCH('/orders/{id}/status', { params: { path: { id: order.id } }, body }));
      expect((await moveTo({ status: 'processing' })).order.status).toBe('processing');
      expect((await moveTo({ status: 'shipped', carrier: 'DHL', tracking_number: 'JD0146' })).order.status).toBe('shipped');
      expect((await moveTo({ status: 'delivered' })).order.status).toBe('delivered');

      const track = await ok(admin.GET('/orders/{id}/track', { params: { path: { id: order.id } } }));
      expect(track).toMatchObject({
        order_id: order.id,
        status: 'delivered',
        carrier: 'DHL',
        tracking_number: 'JD0146',
        next_statuses: [],
      });
      expect(track.history.map((entry) => entry.status)).toEqual(['pending', 'processing', 'shipped', 'delivered']);
      expect((await ok(admin.GET('/orders/{id}', { params: { path: { id: order.id } } }))).status).toBe('delivered');
      expect((await ok(admin.GET('/products/{id}/stock', { params: { path: { id: product.id } } }))).quantity).toBe(7);

      // the key goes with every request, whatever the route, through the fetch the client was given
      expect(sent.length).toBeGreaterThanOrEqual(9);
      expect(sent.filter((request) => request.headers.get('X-API-Key') !== TEST_API_KEY)).toEqual([]);
    });

    it('receives a refusal as typed problem details: not enough stock is 409 INSUFFICIENT_STOCK naming the product', async () => {
      const { product } = await newProduct(5, 1);
      const { customer } = await newCustomer();

      const refusal = await problem(
        admin.POST('/orders', { body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 3 }] } }),
        409,
        'INSUFFICIENT_STOCK',
      );
      expect(refusal.errors).toEqual([{ product_id: product.id, requested: 3, available: 1 }]);
      expect(refusal.request_id).toEqual(expect.any(String));
      expect((await ok(admin.GET('/products/{id}/stock', { params: { path: { id: product.id } } }))).quantity).toBe(1);
    });

    it('retries a placement safely with the Idempotency-Key header: the first order comes back, marked replayed', async () => {
      const { product } = await newProduct(2.5, 10);
      const { customer } = await newCustomer();
      const place = () =>
        admin.POST('/orders', {
          params: { header: { 'Idempotency-Key': `typed-client-${customer.id}` } },
          body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] },
        });

      const first = await place();
      const retry = await place();
      expect(first.response.status).toBe(201);
      expect(retry.response.status).toBe(201);
      expect(retry.response.headers.get('Idempotent-Replayed')).toBe('true');
      expect(retry.data?.order).toEqual(first.data?.order);
      expect((await ok(admin.GET('/products/{id}/stock', { params: { path: { id: product.id } } }))).quantity).toBe(8);
    });
  });

  describe('a service with a key of its own, limited to orders', () => {
    it('gets its key from the administrator, places an order, follows it to delivered, and is refused where its scopes do not reach', async () => {
      const { product } = await newProduct(12.5, 5);
      const { customer } = await newCustomer();
      const { api_key } = await ok(
        admin.POST('/api-keys', { body: { name: 'fulfilment-typed-client', scopes: ['orders:read', 'orders:write'] } }),
      );
      expect(api_key).toMatchObject({ name: 'fulfilment-typed-client', scopes: ['orders:read', 'orders:write'], revoked_at: null });
      const fulfilment = createEcommerceClient({ baseUrl: t.url, apiKey: api_key.key });

      const { order } = await ok(
        fulfilment.POST('/orders', { body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] } }),
      );
      for (const status of ['processing', 'shipped', 'delivered'] as const) {
        await ok(fulfilment.PATCH('/orders/{id}/status', { params: { path: { id: order.id } }, body: { status } }));
      }
      const track = await ok(fulfilment.GET('/orders/{id}/track', { params: { path: { id: order.id } } }));
      expect(track.status).toBe('delivered');
      // the audit trail names the service's key on every step it took
      expect(track.history.map((entry) => entry.actor)).toEqual(
        Array(4).fill({ type: 'api_key', id: api_key.id, name: 'fulfilment-typed-client' }),
      );

      // beyond orders: the catalogue, stock and keys are someone else's business
      const refusals = [
        await problem(fulfilment.POST('/products', { body: { name: 'Not mine', price: 1, stock_quantity: 1 } }), 403, 'INSUFFICIENT_SCOPE'),
        await problem(
          fulfilment.PATCH('/products/{id}/stock', { params: { path: { id: product.id } }, body: { quantity: 100 } }),
          403,
          'INSUFFICIENT_SCOPE',
        ),
        await problem(fulfilment.GET('/api-keys', {}), 403, 'INSUFFICIENT_SCOPE'),
      ];
      expect(refusals).toHaveLength(3);
      expect((await ok(admin.GET('/products/{id}/stock', { params: { path: { id: product.id } } }))).quantity).toBe(3);
    });
  });

  describe('a customer with a token', () => {
    it('logs in, places and tracks its own order, and is refused (403 FORBIDDEN) where only an API key reaches', async () => {
      const { product } = await newProduct(4.2, 5);
      const { customer } = await newCustomer();
      const credentials = { username: `typed${customer.id}`, password: 'correct horse battery' };
      await ok(admin.POST('/accounts', { body: { customer_id: customer.id, ...credentials } }));

      const login = await ok(createEcommerceClient({ baseUrl: t.url }).POST('/auth/login', { body: credentials }));
      expect(login).toMatchObject({ token_type: 'Bearer', customer_id: customer.id });
      const me = createEcommerceClient({ baseUrl: t.url, token: login.access_token });

      const { order } = await ok(
        me.POST('/orders', { body: { customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }] } }),
      );
      expect(order.total_price).toBe(8.4);
      expect((await ok(me.GET('/orders/{id}/track', { params: { path: { id: order.id } } }))).status).toBe('pending');
      expect((await ok(me.GET('/orders/{customer_id}/history', { params: { path: { customer_id: customer.id } } }))).items).toEqual([
        order,
      ]);

      await problem(
        me.PATCH('/orders/{id}/status', { params: { path: { id: order.id } }, body: { status: 'processing' } }),
        403,
        'FORBIDDEN',
      );
      await problem(me.GET('/orders', {}), 403, 'FORBIDDEN');
    });
  });

  describe('without credentials', () => {
    it('reads the public catalogue, and is refused (401 UNAUTHORIZED) elsewhere', async () => {
      const { product } = await newProduct(1.5, 3);
      const anonymous = createEcommerceClient({ baseUrl: t.url });

      expect(await ok(anonymous.GET('/products/{id}', { params: { path: { id: product.id } } }))).toEqual(product);
      await problem(anonymous.GET('/customers', {}), 401, 'UNAUTHORIZED');
    });

    it('is not built with both an API key and a token, since the server would act for the key alone', () => {
      expect(() => createEcommerceClient({ baseUrl: t.url, apiKey: TEST_API_KEY, token: 'a.b.c' })).toThrow(/apiKey or token, not both/);
    });
  });
});
