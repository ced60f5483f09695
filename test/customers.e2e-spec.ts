import { createCustomer, expectProblem } from './support/factories';
import { startApp, TestApp } from './support/app';

describe('Customers (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  describe('POST /customers', () => {
    it('creates a customer and answers 201 {message, customer}', async () => {
      const res = await t.http
        .post('/customers')
        .send({ name: '  Ada Lovelace ', email: 'ada@example.com', phone_number: '+44 20 7946 0958' })
        .expect(201);
      expect(res.body.message).toEqual(expect.any(String));
      expect(res.body.customer).toEqual({
        id: expect.any(Number),
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        phone_number: '+44 20 7946 0958',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updated_at: expect.any(String),
      });
    });

    it('refuses a duplicate email in another case with 409 EMAIL_TAKEN and creates nothing', async () => {
      await createCustomer(t.http, { email: 'grace@example.com' });
      const before = (await t.http.get('/customers').query({ search: 'grace' })).body.total;
      const res = await t.http.post('/customers').send({ name: 'Other', email: 'GRACE@Example.COM' });
      expectProblem(res, 409, 'EMAIL_TAKEN');
      expect((await t.http.get('/customers').query({ search: 'grace' })).body.total).toBe(before);
    });

    it.each([
      ['missing name', { email: 'a@b.co' }, 'name'],
      ['blank name', { name: '   ', email: 'a@b.co' }, 'name'],
      ['invalid email', { name: 'A', email: 'not-an-email' }, 'email'],
      ['email of the wrong type', { name: 'A', email: 42 }, 'email'],
      ['name of the wrong type', { name: ['A'], email: 'a@b.co' }, 'name'],
      ['bad phone number', { name: 'A', email: 'a@b.co', phone_number: 'call me' }, 'phone_number'],
      ['unknown field', { name: 'A', email: 'a@b.co', is_admin: true }, 'is_admin'],
      ['an id in the body', { id: 99, name: 'A', email: 'a@b.co' }, 'id'],
    ])('answers 400 for %s, naming the field', async (_case, body, field) => {
      const problem = expectProblem(await t.http.post('/customers').send(body), 400, 'VALIDATION_FAILED');
      expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('stores unicode names as sent', async () => {
      const customer = await createCustomer(t.http, { name: 'Zoë Ångström 李小龍 🚀' });
      expect((await t.http.get(`/customers/${customer.id}`).expect(200)).body.name).toBe('Zoë Ångström 李小龍 🚀');
    });
  });

  describe('GET /customers', () => {
    it('lists with {items, total, total_exact, limit, offset, next_cursor}, filters by email and search, and pages', async () => {
      const a = await createCustomer(t.http, { name: 'Listing Alpha', email: 'list-alpha@example.com' });
      await createCustomer(t.http, { name: 'Listing Beta', email: 'list-beta@example.com' });

      const byEmail = await t.http.get('/customers').query({ email: 'LIST-ALPHA@example.com' }).expect(200);
      expect(byEmail.body).toEqual({
        items: [expect.objectContaining({ id: a.id })],
        total: 1,
        total_exact: true,
        limit: 20,
        offset: 0,
        next_cursor: null,
      });

      const search = await t.http.get('/customers').query({ search: 'listing', limit: 1, offset: 1 }).expect(200);
      expect(search.body.total).toBe(2);
      expect(search.body.items).toHaveLength(1);
      expect(search.body.items[0].name).toBe('Listing Beta');
    });

    it('treats SQL-looking and wildcard search text literally', async () => {
      for (const search of ["' OR 1=1 --", '%', '_', "'; DROP TABLE customers; --"]) {
        const res = await t.http.get('/customers').query({ search }).expect(200);
        expect(res.body.total).toBe(0);
      }
      expect((await t.http.get('/customers').expect(200)).body.total).toBeGreaterThan(0);
    });

    it.each([[{ limit: 101 }], [{ limit: 0 }], [{ limit: 'ten' }], [{ offset: -1 }], [{ limit: 1.5 }]])(
      'refuses pagination %p with 400',
      async (query) => {
        expectProblem(await t.http.get('/customers').query(query), 400, 'VALIDATION_FAILED');
      },
    );
  });

  describe('GET/PUT/DELETE /customers/:id', () => {
    it('reads one customer', async () => {
      const customer = await createCustomer(t.http);
      const res = await t.http.get(`/customers/${customer.id}`).expect(200);
      expect(res.body).toMatchObject({ id: customer.id, email: customer.email });
      expect(Object.keys(res.body).sort()).toEqual(['created_at', 'email', 'id', 'name', 'phone_number', 'updated_at']);
    });

    it.each(['abc', '0', '-1', '1.5', '1e3', '99999999999'])('answers 400 INVALID_ID for id %s', async (id) => {
      expectProblem(await t.http.get(`/customers/${id}`), 400, 'INVALID_ID');
    });

    it('answers 404 for an unknown id', async () => {
      expectProblem(await t.http.get('/customers/987654'), 404, 'CUSTOMER_NOT_FOUND');
    });

    it('updates partially', async () => {
      const customer = await createCustomer(t.http, { name: 'Before' });
      const res = await t.http.put(`/customers/${customer.id}`).send({ name: 'After' }).expect(200);
      expect(res.body.customer).toMatchObject({
        id: customer.id,
        name: 'After',
        email: customer.email,
        phone_number: customer.phone_number,
      });
    });

    it('refuses an update to a taken email (409), an empty body and unknown fields (400), and changes nothing', async () => {
      const taken = await createCustomer(t.http);
      const customer = await createCustomer(t.http, { name: 'Unchanged' });
      expectProblem(await t.http.put(`/customers/${customer.id}`).send({ email: taken.email.toUpperCase() }), 409, 'EMAIL_TAKEN');
      expectProblem(await t.http.put(`/customers/${customer.id}`).send({}), 400, 'EMPTY_UPDATE');
      expectProblem(await t.http.put(`/customers/${customer.id}`).send({ name: 'X', created_at: '2000-01-01' }), 400, 'VALIDATION_FAILED');
      expect((await t.http.get(`/customers/${customer.id}`)).body).toMatchObject({ name: 'Unchanged', email: customer.email });
    });

    it('compares emails case-insensitively and otherwise exactly, the same on every engine', async () => {
      // a database collation that folds accents or expands ß would make these pairs collide on MariaDB only
      for (const email of ['jose.exact@example.com', 'josé.exact@example.com', 'strasse.exact@example.com', 'straße.exact@example.com']) {
        await t.http.post('/customers').send({ name: 'Exact', email }).expect(201);
      }
      for (const email of ['JOSÉ.exact@example.com', 'STRASSE.EXACT@example.com', 'STRAẞE.exact@example.com']) {
        expectProblem(await t.http.post('/customers').send({ name: 'Exact', email }), 409, 'EMAIL_TAKEN');
      }
      const byEmail = await t.http.get('/customers').query({ email: 'JOSÉ.exact@example.com' }).expect(200);
      expect(byEmail.body.items.map((c: { email: string }) => c.email)).toEqual(['josé.exact@example.com']);
    });

    it('lets a customer keep its own email in another case', async () => {
      const customer = await createCustomer(t.http);
      const res = await t.http.put(`/customers/${customer.id}`).send({ email: customer.email.toUpperCase() }).expect(200);
      expect(res.body.customer.email).toBe(customer.email.toUpperCase());
    });

    it('deletes softly: 404 afterwards, gone from lists, email free again', async () => {
      const customer = await createCustomer(t.http);
      expect((await t.http.delete(`/customers/${customer.id}`).expect(200)).body).toEqual({ message: expect.any(String) });
      expectProblem(await t.http.get(`/customers/${customer.id}`), 404, 'CUSTOMER_NOT_FOUND');
      expectProblem(await t.http.put(`/customers/${customer.id}`).send({ name: 'Ghost' }), 404, 'CUSTOMER_NOT_FOUND');
      expectProblem(await t.http.delete(`/customers/${customer.id}`), 404, 'CUSTOMER_NOT_FOUND');
      expect((await t.http.get('/customers').query({ email: customer.email })).body.total).toBe(0);
      await createCustomer(t.http, { email: customer.email });
    });
  });
});
