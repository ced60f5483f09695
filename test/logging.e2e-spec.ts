import { Writable } from 'node:stream';
import { startApp, TestApp } from './support/app';
import { createApiKey, createCustomer, createProduct, expectProblem, loggedInCustomer } from './support/factories';

/** Every log line the app writes, parsed. */
class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  raw = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.raw += chunk.toString();
    for (const line of chunk.toString().split('\n').filter(Boolean)) this.lines.push(JSON.parse(line));
    done();
  }
}

const METRICS_TOKEN = 'logging-e2e-metrics-token-0123456789abcdef';

describe('Logs and request ids (e2e)', () => {
  let t: TestApp;
  const logs = new LogCapture();
  beforeAll(async () => (t = await startApp({ logLevel: 'info', logDestination: logs, env: { METRICS_TOKEN } })));
  afterAll(() => t.close());

  const requestLines = (id: string) => logs.lines.filter((line) => line.msg === 'request' && line.request_id === id);

  it('echoes a sane X-Request-Id and writes one JSON line for the request with method, route, status, duration and caller', async () => {
    const customer = await createCustomer(t.http);
    const res = await t.http.get(`/customers/${customer.id}`).set('X-Request-Id', 'trace-abc-123').expect(200);
    expect(res.headers['x-request-id']).toBe('trace-abc-123');
    const [line] = requestLines('trace-abc-123');
    expect(line).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/customers/:id',
      status: 200,
      caller: { api_key: 'API_KEYS', api_key_id: null },
      service: 'ecommerce-api',
    });
    expect(typeof line.duration_ms).toBe('number');
    expect(typeof line.time).toBe('string');
  });

  it('generates an id when none or an insane one is sent, and puts it in problem+json bodies', async () => {
    const none = await t.http.get('/customers/999999');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectProblem(none, 404, 'CUSTOMER_NOT_FOUND').request_id).toBe(none.headers['x-request-id']);
    const insane = await t.http.get('/customers/999999').set('X-Request-Id', 'x'.repeat(129));
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestLines(insane.headers['x-request-id'])[0]).toMatchObject({ status: 404, route: '/customers/:id' });
  });

  it('names a customer caller by id', async () => {
    const { customer, token } = await loggedInCustomer(t.http);
    const res = await t.as(token).get(`/orders/${customer.id}/history`).set('X-Request-Id', 'customer-req-1').expect(200);
    expect(res.headers['x-request-id']).toBe('customer-req-1');
    expect(requestLines('customer-req-1')[0]).toMatchObject({ caller: { customer_id: customer.id } });
  });

  it('names a stored API key caller by name and id, never by its key, also when it is refused for scope', async () => {
    const created = await createApiKey(t.http, ['orders:read']);
    await t.withKey(created.key).get('/orders').set('X-Request-Id', 'stored-key-req-1').expect(200);
    await t.withKey(created.key).post('/products').set('X-Request-Id', 'stored-key-req-2').send({});
    expect(requestLines('stored-key-req-1')[0]).toMatchObject({ caller: { api_key: created.name, api_key_id: created.id } });
    expect(requestLines('stored-key-req-2')[0]).toMatchObject({ status: 403, caller: { api_key: created.name, api_key_id: created.id } });
    expect(logs.raw).not.toContain(created.key);
  });

  it('names the metrics scraper as such', async () => {
    await t.anon.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).set('X-Request-Id', 'scrape-req-1').expect(200);
    expect(requestLines('scrape-req-1')[0]).toMatchObject({ route: '/metrics', status: 200, caller: { metrics_token: true } });
  });

  it("tags every other line a request writes with the request's id", async () => {
    const product = await createProduct(t.http, { stock_quantity: 0, reorder_threshold: 5, reorder_quantity: 10 });
    await t.http.post('/inventory/restock').set('X-Request-Id', 'restock-req-1').expect(200);
    // the pass logs what it did (its own line, not the request line): that line carries the request's id
    const passLine = logs.lines.find((line) => line.msg !== 'request' && String(line.msg).includes(`#${product.id}`));
    expect(passLine).toMatchObject({ request_id: 'restock-req-1', level: 30 });
  });

  it('never writes a body, a password, a token or an API key', async () => {
    const { account, token } = await loggedInCustomer(t.http);
    await t.anon.post('/auth/login').send({ username: account.username, password: 'wrong password here' });
    await t.as(token).get('/products');
    expect(logs.raw).not.toContain(account.password);
    expect(logs.raw).not.toContain('wrong password here');
    expect(logs.raw).not.toContain(token);
    expect(logs.raw).not.toContain('test-service-key');
    expect(logs.raw).not.toContain(METRICS_TOKEN);
    expect(logs.raw).not.toMatch(/"(body|headers|authorization|password)"/i);
    expect(logs.lines.length).toBeGreaterThan(10);
  });
});
