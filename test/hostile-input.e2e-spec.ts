import { DataSource } from 'typeorm';
import { createCustomer, createProduct, expectProblem, loggedInCustomer } from './support/factories';
import { unbalancedProducts } from './support/ledger';
import { startApp, TestApp } from './support/app';

/** The offending field is named in `errors`. */
const names = (field: string) => expect.arrayContaining([expect.objectContaining({ field })]);

describe('Hostile input (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());
  afterEach(async () => expect(await unbalancedProducts(t.app.get(DataSource))).toEqual([]));

  describe('null in a field that cannot be null is 400 VALIDATION_FAILED naming it, and changes nothing', () => {
    it.each(['name', 'price', 'reorder_threshold', 'reorder_quantity'])('PUT /products/:id {"%s": null}', async (field) => {
      const product = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 2, reorder_quantity: 10 });
      const before = (await t.http.get(`/products/${product.id}`)).body;
      const problem = expectProblem(await t.http.put(`/products/${product.id}`).send({ [field]: null }), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(names(field));
      expect((await t.http.get(`/products/${product.id}`)).body).toEqual(before);
    });

    it.each(['name', 'price', 'stock_quantity', 'reorder_threshold', 'reorder_quantity'])('POST /products {"%s": null}', async (field) => {
      const name = `Null ${field}`;
      const problem = expectProblem(await t.http.post('/products').send({ name, price: 5, [field]: null }), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(names(field));
      expect((await t.http.get('/products').query({ search: name })).body.total).toBe(0);
    });

    it.each(['quantity', 'adjustment', 'reorder_threshold', 'reorder_quantity'])(
      'PATCH /products/:id/stock {"%s": null}',
      async (field) => {
        const product = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 2, reorder_quantity: 10 });
        const problem = expectProblem(
          await t.http.patch(`/products/${product.id}/stock`).send({ [field]: null }),
          400,
          'VALIDATION_FAILED',
        );
        expect(problem.errors).toEqual(names(field));
        expect((await t.http.get(`/products/${product.id}/stock`)).body).toMatchObject({
          quantity: 5,
          reorder_threshold: 2,
          reorder_quantity: 10,
        });
        expect((await t.http.get(`/products/${product.id}/stock/movements`)).body.total).toBe(1);
      },
    );

    it.each(['name', 'email'])('PUT /customers/:id {"%s": null} with the customer\'s own token', async (field) => {
      const { customer, token } = await loggedInCustomer(t.http);
      const problem = expectProblem(
        await t
          .as(token)
          .put(`/customers/${customer.id}`)
          .send({ [field]: null }),
        400,
        'VALIDATION_FAILED',
      );
      expect(problem.errors).toEqual(names(field));
      expect((await t.http.get(`/customers/${customer.id}`)).body).toMatchObject({ name: customer.name, email: customer.email });
    });

    it.each(['username', 'password'])('PUT /accounts/:id {"%s": null} with the customer\'s own token', async (field) => {
      const { account, token } = await loggedInCustomer(t.http);
      const problem = expectProblem(
        await t
          .as(token)
          .put(`/accounts/${account.id}`)
          .send({ [field]: null }),
        400,
        'VALIDATION_FAILED',
      );
      expect(problem.errors).toEqual(names(field));
      await t.http.post('/auth/login').send({ username: account.username, password: account.password }).expect(200);
    });

    it.each(['customer_id', 'username', 'password'])('POST /accounts {"%s": null}', async (field) => {
      const customer = await createCustomer(t.http);
      const body = { customer_id: customer.id, username: 'nulls', password: 'long enough secret', [field]: null };
      expect(expectProblem(await t.http.post('/accounts').send(body), 400, 'VALIDATION_FAILED').errors).toEqual(names(field));
    });
  });

  describe('fields that may be null stay nullable', () => {
    it('PUT /products/:id {"description": null} clears the description', async () => {
      const product = await createProduct(t.http, { description: 'Old' });
      const res = await t.http.put(`/products/${product.id}`).send({ description: null }).expect(200);
      expect(res.body.product.description).toBeNull();
    });

    it('PUT /customers/:id {"phone_number": null} clears the phone number', async () => {
      const { customer, token } = await loggedInCustomer(t.http);
      const res = await t.as(token).put(`/customers/${customer.id}`).send({ phone_number: null }).expect(200);
      expect(res.body.customer.phone_number).toBeNull();
    });
  });

  describe('numbers', () => {
    it.each([
      ['1e-7', 1e-7],
      ['1e308', 1e308],
      ['-0', -0],
      ['1e400 (Infinity once parsed)', '1e400'],
    ])('refuses the price %s with 400 naming it, on create and update', async (_case, price) => {
      const body = typeof price === 'string' ? `{"name":"Exponent","price":${price}}` : JSON.stringify({ name: 'Exponent', price });
      const created = await t.http.post('/products').set('Content-Type', 'application/json').send(body);
      expect(expectProblem(created, 400, 'VALIDATION_FAILED').errors).toEqual(names('price'));
      const product = await createProduct(t.http, { price: 5 });
      const updateBody = typeof price === 'string' ? `{"price":${price}}` : JSON.stringify({ price });
      const updated = await t.http.put(`/products/${product.id}`).set('Content-Type', 'application/json').send(updateBody);
      expect(expectProblem(updated, 400, 'VALIDATION_FAILED').errors).toEqual(names('price'));
      expect((await t.http.get(`/products/${product.id}`)).body.price).toBe(5);
    });

    it('reads a price in exponent notation by its value: 1e2 is 100, 1.5e1 is 15', async () => {
      const res = await t.http.post('/products').set('Content-Type', 'application/json').send('{"name":"Hundred","price":1e2}').expect(201);
      expect(res.body.product.price).toBe(100);
      const updated = await t.http
        .put(`/products/${res.body.product.id}`)
        .set('Content-Type', 'application/json')
        .send('{"price":1.5e1}')
        .expect(200);
      expect(updated.body.product.price).toBe(15);
    });

    it.each([
      ['/products', 'limit', '0x10'],
      ['/products', 'limit', '1e1'],
      ['/products', 'offset', '1e1'],
      ['/products', 'offset', '0x0'],
      ['/products', 'limit', '10.0'],
      ['/products', 'limit', ' 10'],
      ['/customers', 'limit', '0x10'],
      ['/orders', 'customer_id', '0x1'],
      ['/orders', 'customer_id', '1e0'],
      ['/inventory/low-stock', 'limit', '1e1'],
      ['/events', 'limit', '0x10'],
    ])('GET %s?%s=%s is 400 naming the parameter: integer query parameters are plain decimal digits', async (path, param, value) => {
      const problem = expectProblem(await t.http.get(path).query({ [param]: value }), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(names(param));
    });

    it('still reads plain digits, leading zeros included', async () => {
      const res = await t.http.get('/products').query({ limit: '010', offset: '0' }).expect(200);
      expect(res.body).toMatchObject({ limit: 10, offset: 0 });
      const product = await createProduct(t.http);
      const movements = await t.http.get(`/products/${product.id}/stock/movements`).query({ limit: '5' }).expect(200);
      expect(movements.body.limit).toBe(5);
      expectProblem(await t.http.get(`/products/${product.id}/stock/movements`).query({ limit: '5e0' }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('a malformed URL', () => {
    /** Every header but those that differ from one answer to the next. */
    const stableHeaders = (res: { headers: Record<string, string> }) => {
      const { date: _date, 'content-length': _length, 'x-request-id': _requestId, ...rest } = res.headers;
      return rest;
    };

    it.each(['/products/%E0%A4%A', '/products/%', '/%ZZ', '/orders/%E0%A4%A/track?limit=5'])(
      'GET %s is 400 MALFORMED_URL in the problem+json shape, with the headers of every other error',
      async (url) => {
        const res = await t.http.get(url);
        expect(expectProblem(res, 400, 'MALFORMED_URL')).toMatchObject({ instance: url.split('?')[0] });
        const notFound = await t.http.get('/no-such-route');
        expectProblem(notFound, 404, 'NOT_FOUND');
        expect(stableHeaders(res)).toEqual(stableHeaders(notFound));
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.body.request_id).toBe(res.headers['x-request-id']);
      },
    );

    it('echoes the X-Request-Id it was sent, as every answer does', async () => {
      const res = await t.http.get('/products/%E0%A4%A').set('X-Request-Id', 'malformed-url-check-1');
      expectProblem(res, 400, 'MALFORMED_URL');
      expect(res.headers['x-request-id']).toBe('malformed-url-check-1');
      expect(res.body.request_id).toBe('malformed-url-check-1');
    });

    it('a POST to a malformed URL creates nothing, whatever its body', async () => {
      const name = 'Sent to a malformed URL';
      expectProblem(await t.http.post('/products%E0%A4%A').send({ name, price: 1 }), 400, 'MALFORMED_URL');
      expectProblem(await t.http.post('/products/%E0%A4%A').set('Content-Type', 'application/json').send('{"name":'), 400, 'MALFORMED_URL');
      expect((await t.http.get('/products').query({ search: name })).body.total).toBe(0);
    });

    it('a path segment over 100 characters is 414 URI_TOO_LONG in the same shape', async () => {
      const res = await t.http.get(`/products/${'1'.repeat(101)}`);
      expectProblem(res, 414, 'URI_TOO_LONG');
      expect(stableHeaders(res)).toEqual(stableHeaders(await t.http.get('/no-such-route')));
    });
  });
});
