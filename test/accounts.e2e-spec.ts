import { DataSource } from 'typeorm';
import { createAccount, createCustomer, expectProblem } from './support/factories';
import { startApp, TestApp } from './support/app';

describe('Accounts (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('creates an account: 201, no password or hash in the answer, an argon2id hash in the database', async () => {
    const customer = await createCustomer(t.http);
    const res = await t.http.post('/accounts').send({ customer_id: customer.id, username: 'ada.l', password: 'correct horse battery' }).expect(201);
    expect(res.body.account).toEqual({
      id: expect.any(Number),
      customer_id: customer.id,
      username: 'ada.l',
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|hash|argon/i);
    const [row] = await t.app.get(DataSource).query('SELECT password_hash FROM accounts WHERE id = ?', [res.body.account.id]);
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain('correct horse battery');
  });

  it('reads, updates and deletes an account', async () => {
    const customer = await createCustomer(t.http);
    const account = await createAccount(t.http, customer.id);
    const read = await t.http.get(`/accounts/${account.id}`).expect(200);
    expect(Object.keys(read.body).sort()).toEqual(['created_at', 'customer_id', 'id', 'updated_at', 'username']);

    const [{ password_hash: before }] = await t.app.get(DataSource).query('SELECT password_hash FROM accounts WHERE id = ?', [account.id]);
    const updated = await t.http.put(`/accounts/${account.id}`).send({ username: 'renamed-user', password: 'another long secret' }).expect(200);
    expect(updated.body.account.username).toBe('renamed-user');
    const [{ password_hash: after }] = await t.app.get(DataSource).query('SELECT password_hash FROM accounts WHERE id = ?', [account.id]);
    expect(after).not.toBe(before);

    await t.http.delete(`/accounts/${account.id}`).expect(200);
    expectProblem(await t.http.get(`/accounts/${account.id}`), 404, 'ACCOUNT_NOT_FOUND');
    // the customer stays
    await t.http.get(`/customers/${customer.id}`).expect(200);
  });

  it('allows one account per customer (409 ACCOUNT_EXISTS)', async () => {
    const customer = await createCustomer(t.http);
    await createAccount(t.http, customer.id);
    expectProblem(await t.http.post('/accounts').send({ customer_id: customer.id, username: 'second', password: 'long enough pw' }), 409, 'ACCOUNT_EXISTS');
  });

  it('keeps usernames unique case-insensitively (409 USERNAME_TAKEN), also on update', async () => {
    const first = await createAccount(t.http, (await createCustomer(t.http)).id, { username: 'Unique.Name' });
    const other = await createCustomer(t.http);
    expectProblem(await t.http.post('/accounts').send({ customer_id: other.id, username: 'unique.name', password: 'long enough pw' }), 409, 'USERNAME_TAKEN');
    const second = await createAccount(t.http, other.id);
    expectProblem(await t.http.put(`/accounts/${second.id}`).send({ username: 'UNIQUE.NAME' }), 409, 'USERNAME_TAKEN');
    expect((await t.http.get(`/accounts/${first.id}`)).body.username).toBe('Unique.Name');
  });

  it('answers 404 for an unknown or deleted customer', async () => {
    expectProblem(await t.http.post('/accounts').send({ customer_id: 999999, username: 'nobody', password: 'long enough pw' }), 404, 'CUSTOMER_NOT_FOUND');
    const customer = await createCustomer(t.http);
    await t.http.delete(`/customers/${customer.id}`).expect(200);
    expectProblem(await t.http.post('/accounts').send({ customer_id: customer.id, username: 'ghost', password: 'long enough pw' }), 404, 'CUSTOMER_NOT_FOUND');
  });

  it('removes the login of a deleted customer', async () => {
    const customer = await createCustomer(t.http);
    const account = await createAccount(t.http, customer.id);
    await t.http.delete(`/customers/${customer.id}`).expect(200);
    expectProblem(await t.http.get(`/accounts/${account.id}`), 404, 'ACCOUNT_NOT_FOUND');
  });

  it.each([
    ['a short password', { password: 'short' }, 'password'],
    ['a 129-character password', { password: 'x'.repeat(129) }, 'password'],
    ['a username with spaces', { username: 'two words' }, 'username'],
    ['a string customer_id', { customer_id: '1' }, 'customer_id'],
    ['a password_hash field', { password_hash: '$argon2id$' }, 'password_hash'],
  ])('refuses %s with 400', async (_case, override, field) => {
    const customer = await createCustomer(t.http);
    const body = { customer_id: customer.id, username: `valid${customer.id}`, password: 'long enough pw', ...override };
    const problem = expectProblem(await t.http.post('/accounts').send(body), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('looks username keys up exactly in the database: no trailing-space or accent folding', async () => {
    await createAccount(t.http, (await createCustomer(t.http)).id, { username: 'Exact.Key' });
    const count = async (key: string) =>
      Number((await t.app.get(DataSource).query('SELECT COUNT(*) AS n FROM accounts WHERE username_key = ?', [key]))[0].n);
    expect(await count('exact.key')).toBe(1);
    expect(await count('exact.key ')).toBe(0);
    expect(await count('exáct.key')).toBe(0);
  });

  it('refuses an empty update and bad ids', async () => {
    const account = await createAccount(t.http, (await createCustomer(t.http)).id);
    expectProblem(await t.http.put(`/accounts/${account.id}`).send({}), 400, 'EMPTY_UPDATE');
    expectProblem(await t.http.put(`/accounts/${account.id}`).send({ customer_id: 5 }), 400, 'VALIDATION_FAILED');
    expectProblem(await t.http.get('/accounts/abc'), 400, 'INVALID_ID');
    expectProblem(await t.http.delete('/accounts/424242'), 404, 'ACCOUNT_NOT_FOUND');
  });
});

