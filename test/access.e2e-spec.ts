import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import type { OpenAPIObject } from '@nestjs/swagger';
import { SCOPES, type Scope } from '../src/auth/scopes';
import { registeredRoutes } from './support/routes';
import { createApiKey, createProduct, expectProblem, loggedInCustomer, placeOrder } from './support/factories';
import { startApp, TestApp } from './support/app';

type Access = 'public' | 'api-key' | 'customer' | 'metrics';

/**
 * Every route the router serves, with who may call it and the scope an API key needs for it (none for public
 * routes). A route missing here fails the first test, so a new route cannot ship without a decision about its
 * access and its scope (and the guard refuses unmarked routes, and routes that name no scope).
 */
const ROUTES: Record<string, [Access, Scope | null]> = {
  'GET /health': ['public', null],
  'POST /auth/login': ['public', null],
  'GET /products': ['public', null],
  'GET /products/:id': ['public', null],
  'POST /products': ['api-key', 'catalog:write'],
  'PUT /products/:id': ['api-key', 'catalog:write'],
  'DELETE /products/:id': ['api-key', 'catalog:write'],
  'GET /products/:id/stock': ['api-key', 'inventory:read'],
  'PATCH /products/:id/stock': ['api-key', 'inventory:write'],
  'GET /products/:id/stock/movements': ['api-key', 'inventory:read'],
  'GET /inventory/low-stock': ['api-key', 'inventory:read'],
  'POST /inventory/restock': ['api-key', 'inventory:write'],
  'GET /replenishments': ['api-key', 'inventory:read'],
  'POST /replenishments': ['api-key', 'inventory:write'],
  'GET /replenishments/:id': ['api-key', 'inventory:read'],
  'POST /replenishments/:id/receive': ['api-key', 'inventory:write'],
  'POST /replenishments/:id/cancel': ['api-key', 'inventory:write'],
  'POST /customers': ['api-key', 'customers:write'],
  'GET /customers': ['api-key', 'customers:read'],
  'GET /customers/:id': ['customer', 'customers:read'],
  'PUT /customers/:id': ['customer', 'customers:write'],
  'DELETE /customers/:id': ['api-key', 'customers:write'],
  'POST /accounts': ['api-key', 'customers:write'],
  'GET /accounts/:id': ['customer', 'customers:read'],
  'PUT /accounts/:id': ['customer', 'customers:write'],
  'DELETE /accounts/:id': ['api-key', 'customers:write'],
  'POST /orders': ['customer', 'orders:write'],
  'GET /orders': ['api-key', 'orders:read'],
  'GET /orders/:id': ['customer', 'orders:read'],
  'GET /orders/:id/track': ['customer', 'orders:read'],
  'GET /orders/:customer_id/history': ['customer', 'orders:read'],
  'POST /orders/:id/cancel': ['customer', 'orders:write'],
  'PATCH /orders/:id/status': ['api-key', 'orders:write'],
  'GET /events': ['api-key', 'events:read'],
  'POST /webhooks': ['api-key', 'webhooks:write'],
  'GET /webhooks': ['api-key', 'webhooks:write'],
  'GET /webhooks/:id': ['api-key', 'webhooks:write'],
  'PUT /webhooks/:id': ['api-key', 'webhooks:write'],
  'DELETE /webhooks/:id': ['api-key', 'webhooks:write'],
  'POST /webhooks/:id/rotate-secret': ['api-key', 'webhooks:write'],
  'GET /webhooks/:id/deliveries': ['api-key', 'webhooks:write'],
  'POST /webhooks/:id/deliveries/:delivery_id/retry': ['api-key', 'webhooks:write'],
  'POST /api-keys': ['api-key', 'admin'],
  'GET /api-keys': ['api-key', 'admin'],
  'GET /api-keys/:id': ['api-key', 'admin'],
  'DELETE /api-keys/:id': ['api-key', 'admin'],
  // a key with admin, or METRICS_TOKEN as a Bearer token (test/metrics.e2e-spec.ts)
  'GET /metrics': ['metrics', 'admin'],
};

const PROTECTED = Object.entries(ROUTES).filter(([, [access]]) => access !== 'public');

/** The request a route-table test sends: no body for GET, an empty one otherwise. */
function send(agent: TestAgent, route: string, path: (url: string) => string) {
  const [method, url] = route.split(' ');
  return agent[method.toLowerCase() as 'get'](path(url)).send(method === 'GET' ? undefined : {});
}

describe('Access control (e2e)', () => {
  let t: TestApp;
  let alice: Awaited<ReturnType<typeof loggedInCustomer>>;
  let bob: Awaited<ReturnType<typeof loggedInCustomer>>;
  let bobsOrder: { id: number };
  let product: { id: number };
  beforeAll(async () => {
    t = await startApp();
    alice = await loggedInCustomer(t.http);
    bob = await loggedInCustomer(t.http);
    product = await createProduct(t.http, { stock_quantity: 100 });
    bobsOrder = await placeOrder(t.http, bob.customer.id, [{ product_id: product.id, quantity: 1 }]);
  });
  afterAll(() => t.close());

  /** Path with ids that belong to Bob (or a real product), so that a refusal is about access, not existence. */
  const concrete = (url: string) =>
    url
      .replace(':customer_id', String(bob.customer.id))
      .replace(/^\/customers\/:id/, `/customers/${bob.customer.id}`)
      .replace(/^\/accounts\/:id/, `/accounts/${bob.account.id}`)
      .replace(/^\/orders\/:id/, `/orders/${bobsOrder.id}`)
      .replace(':id', String(product.id));

  it('has a marking for every route the router serves, and no marking without a route', () => {
    const served = registeredRoutes(t.app)
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(served).toEqual(Object.keys(ROUTES).sort());
  });

  describe.each(PROTECTED.map(([route, [access]]) => [route, access]))('%s (%s)', (route, access) => {
    const call = (agent: TestAgent) => send(agent, route, concrete);

    it('answers 401 without credentials', async () => expectProblem(await call(t.anon), 401, 'UNAUTHORIZED'));
    it('answers 401 with a wrong API key', async () =>
      expectProblem(await call(request.agent(t.url).set('X-API-Key', 'wrong-key')), 401, 'UNAUTHORIZED'));
    it('answers 401 with a tampered token', async () => {
      const [header, payload] = alice.token.split('.');
      const forged = Buffer.from(JSON.stringify({ sub: String(bob.customer.id), typ: 'customer' })).toString('base64url');
      expectProblem(await call(t.as(`${header}.${forged}.${alice.token.split('.')[2]}`)), 401, 'UNAUTHORIZED');
      expect(payload).toBeTruthy();
    });
    const customersRefused = access === 'api-key' || access === 'metrics';
    it(
      customersRefused ? 'answers 403 to a customer token' : "answers 404 to another customer's token, with none of its data",
      async () => {
        const res = await call(t.as(alice.token));
        if (customersRefused) expectProblem(res, 403, 'FORBIDDEN');
        else {
          expect([404, 400]).toContain(res.status); // 400 where the empty body fails validation first
          expect(JSON.stringify(res.body)).not.toContain(bob.customer.email);
        }
      },
    );
  });

  it('serves public routes without credentials', async () => {
    await t.anon.get('/health').expect(200);
    await t.anon.get('/products').expect(200);
    await t.anon.get(`/products/${product.id}`).expect(200);
    await t.anon.get('/docs-json').expect(200);
  });

  describe('a customer token', () => {
    it('reads and updates its own customer record and account', async () => {
      const me = t.as(alice.token);
      expect((await me.get(`/customers/${alice.customer.id}`).expect(200)).body.email).toBe(alice.customer.email);
      await me.put(`/customers/${alice.customer.id}`).send({ name: 'Alice Updated' }).expect(200);
      expect((await me.get(`/accounts/${alice.account.id}`).expect(200)).body.username).toBe(alice.account.username);
      await me
        .put(`/accounts/${alice.account.id}`)
        .send({ current_password: alice.account.password, password: 'a brand new password' })
        .expect(200);
      // the change revoked Alice's token: she logs in again, and the tests below use the new one
      const login = await t.anon
        .post('/auth/login')
        .send({ username: alice.account.username, password: 'a brand new password' })
        .expect(200);
      alice.token = login.body.access_token;
    });

    it("gets 404 for another customer's record, account, orders, tracking and history, and changes nothing", async () => {
      const me = t.as(alice.token);
      expectProblem(await me.get(`/customers/${bob.customer.id}`), 404, 'CUSTOMER_NOT_FOUND');
      expectProblem(await me.put(`/customers/${bob.customer.id}`).send({ name: 'Hijacked' }), 404, 'CUSTOMER_NOT_FOUND');
      expectProblem(await me.get(`/accounts/${bob.account.id}`), 404, 'ACCOUNT_NOT_FOUND');
      expectProblem(await me.put(`/accounts/${bob.account.id}`).send({ password: 'taken over account' }), 404, 'ACCOUNT_NOT_FOUND');
      expectProblem(await me.get(`/orders/${bobsOrder.id}`), 404, 'ORDER_NOT_FOUND');
      expectProblem(await me.get(`/orders/${bobsOrder.id}/track`), 404, 'ORDER_NOT_FOUND');
      expectProblem(await me.get(`/orders/${bob.customer.id}/history`), 404, 'CUSTOMER_NOT_FOUND');
      expectProblem(await me.post(`/orders/${bobsOrder.id}/cancel`), 404, 'ORDER_NOT_FOUND');
      expectProblem(
        await me.post('/orders').send({ customer_id: bob.customer.id, items: [{ product_id: product.id, quantity: 1 }] }),
        404,
        'CUSTOMER_NOT_FOUND',
      );

      expect((await t.http.get(`/customers/${bob.customer.id}`)).body.name).not.toBe('Hijacked');
      expect((await t.http.get(`/orders/${bobsOrder.id}`)).body.status).toBe('pending');
      expect((await t.http.get('/orders').query({ customer_id: bob.customer.id })).body.total).toBe(1);
      await t.anon.post('/auth/login').send({ username: bob.account.username, password: bob.account.password }).expect(200);
    });

    it('places, reads, tracks, lists and cancels its own orders', async () => {
      const me = t.as(alice.token);
      const placed = (
        await me
          .post('/orders')
          .send({ customer_id: alice.customer.id, items: [{ product_id: product.id, quantity: 2 }] })
          .expect(201)
      ).body.order;
      await me.get(`/orders/${placed.id}`).expect(200);
      await me.get(`/orders/${placed.id}/track`).expect(200);
      expect((await me.get(`/orders/${alice.customer.id}/history`).expect(200)).body.items.map((o: { id: number }) => o.id)).toContain(
        placed.id,
      );
      await me.post(`/orders/${placed.id}/cancel`).expect(200);
    });
  });

  describe('mass assignment', () => {
    it.each([
      ['PUT', () => `/customers/${alice.customer.id}`, { id: 999 }],
      ['PUT', () => `/customers/${alice.customer.id}`, { created_at: '2000-01-01T00:00:00.000Z' }],
      ['PUT', () => `/accounts/${alice.account.id}`, { customer_id: 999 }],
      ['PUT', () => `/accounts/${alice.account.id}`, { password_hash: '$argon2id$v=19$forged' }],
      ['POST', () => '/orders', { customer_id: 0, status: 'delivered', items: [] }],
      ['POST', () => '/orders', { total_price: 0.01 }],
    ])('%s %s with %p is 400 and changes nothing', async (method, path, body) => {
      const me = t.as(alice.token);
      const before = (await t.http.get(`/customers/${alice.customer.id}`)).body;
      const res = await me[method === 'PUT' ? 'put' : 'post'](path()).send(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect((await t.http.get(`/customers/${alice.customer.id}`)).body).toEqual(before);
    });

    it('refuses stock_quantity and id on product writes even with an API key', async () => {
      expectProblem(await t.http.put(`/products/${product.id}`).send({ stock_quantity: 1 }), 400, 'VALIDATION_FAILED');
      expectProblem(await t.http.post('/products').send({ id: 1, name: 'x', price: 1 }), 400, 'VALIDATION_FAILED');
      expect((await t.http.get(`/products/${product.id}/stock`)).body.quantity).toBeGreaterThan(1);
    });
  });

  describe('hardening', () => {
    it('sends security headers and no X-Powered-By', async () => {
      const res = await t.anon.get('/products').expect(200);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    });

    it('sends no CORS headers to an unlisted origin', async () => {
      const res = await t.anon.get('/products').set('Origin', 'https://evil.example').expect(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('shows rate-limit headers to anonymous and customer callers but not to API-key callers', async () => {
      const anonymous = await t.anon.get('/products').expect(200);
      expect(anonymous.headers['ratelimit-limit']).toBe('600');
      expect(Number(anonymous.headers['ratelimit-remaining'])).toBeLessThan(600);
      const customer = await t.as(alice.token).get(`/customers/${alice.customer.id}`).expect(200);
      expect(customer.headers['ratelimit-limit']).toBe('600');
      const service = await t.http.get('/products').expect(200);
      expect(service.headers['ratelimit-limit']).toBeUndefined();
    });
  });
});

describe('API key scopes (e2e)', () => {
  let t: TestApp;
  /** One stored key per scope, holding that scope alone; then an admin key revoked, and one expired. */
  const keyWith = {} as Record<Scope, string>;
  let revoked: string;
  let expired: string;

  beforeAll(async () => {
    t = await startApp();
    const expiresAt = Date.now() + 2000;
    expired = (await createApiKey(t.http, ['admin'], { expires_at: new Date(expiresAt).toISOString() })).key;
    for (const scope of SCOPES) keyWith[scope] = (await createApiKey(t.http, [scope])).key;
    const toRevoke = await createApiKey(t.http, ['admin']);
    await t.http.delete(`/api-keys/${toRevoke.id}`).expect(200);
    revoked = toRevoke.key;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now() + 50)));
  });
  afterAll(() => t.close());

  /** Ids nobody has: a key that passes the guard gets 404 or 400 from the route, and nothing changes. */
  const unknownIds = (url: string) => url.replace(/:\w+/g, '999999');

  it('documents for every operation the scope the route table names, in x-required-scopes and the description, with 403 INSUFFICIENT_SCOPE', async () => {
    const document: OpenAPIObject = (await t.http.get('/docs-json').expect(200)).body;
    const documented = Object.fromEntries(
      Object.entries(ROUTES).map(([route]) => {
        const [method, url] = route.split(' ');
        const operation = document.paths[url.replace(/:(\w+)/g, '{$1}')][method.toLowerCase() as 'get']! as Record<string, unknown> & {
          description?: string;
          responses: Record<string, { description: string }>;
        };
        const scopes = operation['x-required-scopes'] as Scope[] | undefined;
        if (scopes) {
          expect(operation.description).toContain(`**API key scope:** \`${scopes[0]}\``);
          expect(operation.responses['403'].description).toContain('`INSUFFICIENT_SCOPE`');
        }
        return [route, [ROUTES[route][0], scopes?.[0] ?? null]];
      }),
    );
    expect(documented).toEqual(ROUTES);
  });

  describe.each(PROTECTED.map(([route, [, scope]]) => [route, scope!]))('%s (%s)', (route, scope) => {
    const call = (key: string) => send(t.withKey(key), route, unknownIds);

    it('lets a key with exactly that scope through, and an admin key', async () => {
      for (const key of [keyWith[scope], keyWith.admin]) expect([401, 403]).not.toContain((await call(key)).status);
    });

    it('answers 403 INSUFFICIENT_SCOPE, naming the scope, to a key with any other single scope', async () => {
      for (const other of SCOPES.filter((s) => s !== scope && s !== 'admin')) {
        const problem = expectProblem(await call(keyWith[other]), 403, 'INSUFFICIENT_SCOPE');
        expect(problem.errors).toEqual([{ required_scope: scope }]);
      }
    });

    it('answers 401 to a revoked key and to an expired one', async () => {
      expect(expectProblem(await call(revoked), 401, 'UNAUTHORIZED').detail).toBe('This API key was revoked');
      expect(expectProblem(await call(expired), 401, 'UNAUTHORIZED').detail).toBe('This API key has expired');
    });
  });
});

describe('Rate limiting behind a trusted proxy (e2e)', () => {
  // one hop: the test client stands for the load balancer, which appends the address it saw
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ env: { RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '1' } })));
  afterAll(() => t.close());

  it('counts each client named by X-Forwarded-For on its own', async () => {
    for (let i = 0; i < 3; i++) await t.anon.get('/products').set('X-Forwarded-For', '198.51.100.1').expect(200);
    expectProblem(await t.anon.get('/products').set('X-Forwarded-For', '198.51.100.1'), 429, 'RATE_LIMITED');
    await t.anon.get('/products').set('X-Forwarded-For', '198.51.100.2').expect(200);
  });

  it('believes only the address the proxy appended, not what the client wrote before it', async () => {
    // a client forging X-Forwarded-For: 1.2.3.N reaches the server as "1.2.3.N, <its real address>"
    for (let i = 0; i < 3; i++) await t.anon.get('/products').set('X-Forwarded-For', `192.0.2.${i}, 198.51.100.3`).expect(200);
    expectProblem(await t.anon.get('/products').set('X-Forwarded-For', '192.0.2.99, 198.51.100.3'), 429, 'RATE_LIMITED');
  });
});

describe('Rate limiting (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ env: { RATE_LIMIT_PER_MINUTE: '5', CORS_ORIGINS: 'https://shop.example' } })));
  afterAll(() => t.close());

  it('answers the anonymous caller over the limit with 429, Retry-After and RateLimit headers; API keys are not limited', async () => {
    for (let i = 0; i < 5; i++) await t.anon.get('/products').expect(200);
    const res = await t.anon.get('/products');
    expectProblem(res, 429, 'RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) await t.http.get('/products').expect(200);
  });

  it('explains the 429 in a sentence with the retry delay, not a framework class name', async () => {
    let res = await t.anon.get('/health');
    for (let i = 0; i < 5 && res.status !== 429; i++) res = await t.anon.get('/health');
    expectProblem(res, 429, 'RATE_LIMITED');
    expect(res.body.detail).not.toMatch(/Exception/);
    expect(res.body.detail).toBe(`Too many requests: this client may make 5 every 60 s; retry in ${res.headers['retry-after']} s`);
  });

  it('ignores X-Forwarded-For by default: a client cannot dodge the limit by inventing addresses', async () => {
    for (let i = 0; i < 5; i++) await t.anon.get('/products').set('X-Forwarded-For', `198.51.100.${i}`);
    expectProblem(await t.anon.get('/products').set('X-Forwarded-For', '203.0.113.9'), 429, 'RATE_LIMITED');
  });

  it('allows a listed CORS origin, without credentials', async () => {
    const res = await t.http.get('/health').set('Origin', 'https://shop.example');
    expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
