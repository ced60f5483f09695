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

    it.each(['quantity', 'adjustment', 'reorder_threshold', 'reorder_quantity'])('PATCH /products/:id/stock {"%s": null}', async (field) => {
      const product = await createProduct(t.http, { stock_quantity: 5, reorder_threshold: 2, reorder_quantity: 10 });
      const problem = expectProblem(await t.http.patch(`/products/${product.id}/stock`).send({ [field]: null }), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(names(field));
      expect((await t.http.get(`/products/${product.id}/stock`)).body).toMatchObject({ quantity: 5, reorder_threshold: 2, reorder_quantity: 10 });
      expect((await t.http.get(`/products/${product.id}/stock/movements`)).body.total).toBe(1);
    });

    it.each(['name', 'email'])('PUT /customers/:id {"%s": null} with the customer\'s own token', async (field) => {
      const { customer, token } = await loggedInCustomer(t.http);
      const problem = expectProblem(await t.as(token).put(`/customers/${customer.id}`).send({ [field]: null }), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(names(field));
      expect((await t.http.get(`/customers/${customer.id}`)).body).toMatchObject({ name: customer.name, email: customer.email });
    });

    it.each(['username', 'password'])('PUT /accounts/:id {"%s": null} with the customer\'s own token', async (field) => {
      const { account, token } = await loggedInCustomer(t.http);
      const problem = expectProblem(await t.as(token).put(`/accounts/${account.id}`).send({ [field]: null }), 400, 'VALIDATION_FAILED');
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
});
