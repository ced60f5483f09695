import TestAgent from 'supertest/lib/agent';

let sequence = 0;
// decimal digits and one letter: base 36 could spell "hash", which the e2e secret scan (support/app.ts) rightly refuses in an answer
const unique = () => `${Date.now()}x${++sequence}`;

export interface ProductInput {
  name?: string;
  price?: number;
  description?: string;
  stock_quantity?: number;
  reorder_threshold?: number;
  reorder_quantity?: number;
  lead_time_days?: number;
  reorder_policy?: 'fixed' | 'demand';
  service_level?: number;
  cover_days?: number;
}

export async function createCustomer(http: TestAgent, overrides: Record<string, unknown> = {}) {
  const res = await http
    .post('/customers')
    .send({ name: 'Test Customer', email: `customer-${unique()}@example.com`, phone_number: '+1 555 0100', ...overrides })
    .expect(201);
  return res.body.customer as { id: number; name: string; email: string; phone_number: string | null };
}

export async function createProduct(http: TestAgent, overrides: ProductInput = {}) {
  const res = await http
    .post('/products')
    .send({ name: `Product ${unique()}`, price: 10, stock_quantity: 100, ...overrides })
    .expect(201);
  return res.body.product as {
    id: number;
    name: string;
    price: number;
    stock_quantity: number;
    reorder_threshold: number;
    reorder_quantity: number;
    lead_time_days: number;
  };
}

export async function createAccount(http: TestAgent, customerId: number, overrides: Record<string, unknown> = {}) {
  const body = { customer_id: customerId, username: `user${unique()}`, password: 'correct horse battery', ...overrides };
  const res = await http.post('/accounts').send(body).expect(201);
  return { ...(res.body.account as { id: number; customer_id: number; username: string }), password: body.password as string };
}

/** Asserts the RFC 9457 shape every error shares and returns the body. */
export function expectProblem(
  res: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
  status: number,
  code?: string,
) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: 'about:blank',
    status,
    title: expect.any(String),
    detail: expect.any(String),
    code: code ?? expect.any(String),
  });
  expect(JSON.stringify(res.body)).not.toMatch(/stack|SELECT |INSERT |QueryFailedError|at \w+ \(/);
  return res.body;
}

export async function placeOrder(http: TestAgent, customerId: number, items: { product_id: number; quantity: number }[]) {
  const res = await http.post('/orders').send({ customer_id: customerId, items }).expect(201);
  return res.body.order as {
    id: number;
    customer_id: number;
    status: string;
    total_price: number;
    items: { product_id: number; product_name: string; unit_price: number; quantity: number; line_total: number }[];
  };
}

/** A customer with an account, logged in: its id and Bearer token. */
export async function loggedInCustomer(http: TestAgent) {
  const customer = await createCustomer(http);
  const account = await createAccount(http, customer.id);
  const res = await http.post('/auth/login').send({ username: account.username, password: account.password }).expect(200);
  return { customer, account, token: res.body.access_token as string };
}

/** An API key issued by POST /api-keys (with the admin key of `http`): its id, prefix and the key itself. */
export async function createApiKey(http: TestAgent, scopes: string[], overrides: Record<string, unknown> = {}) {
  const res = await http
    .post('/api-keys')
    .send({ name: `service-${unique()}`, scopes, ...overrides })
    .expect(201);
  return res.body.api_key as { id: number; name: string; scopes: string[]; prefix: string; key: string; expires_at: string | null };
}
