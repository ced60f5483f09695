import { DataSource } from 'typeorm';
import { createAccount, createCustomer, expectProblem, loggedInCustomer } from './support/factories';
import { startApp, TestApp } from './support/app';
import { MAX_ATTEMPTS_PER_USERNAME } from '../src/auth/login-attempts';

describe('Accounts (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('creates an account: 201, no password or hash in the answer, an argon2id hash in the database', async () => {
    const customer = await createCustomer(t.http);
    const res = await t.http
      .post('/accounts')
      .send({ customer_id: customer.id, username: 'ada.l', password: 'correct horse battery' })
      .expect(201);
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
    const updated = await t.http
      .put(`/accounts/${account.id}`)
      .send({ username: 'renamed-user', password: 'another long secret' })
      .expect(200);
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
    expectProblem(
      await t.http.post('/accounts').send({ customer_id: customer.id, username: 'second', password: 'long enough pw' }),
      409,
      'ACCOUNT_EXISTS',
    );
  });

  it('keeps usernames unique case-insensitively (409 USERNAME_TAKEN), also on update', async () => {
    const first = await createAccount(t.http, (await createCustomer(t.http)).id, { username: 'Unique.Name' });
    const other = await createCustomer(t.http);
    expectProblem(
      await t.http.post('/accounts').send({ customer_id: other.id, username: 'unique.name', password: 'long enough pw' }),
      409,
      'USERNAME_TAKEN',
    );
    const second = await createAccount(t.http, other.id);
    expectProblem(await t.http.put(`/accounts/${second.id}`).send({ username: 'UNIQUE.NAME' }), 409, 'USERNAME_TAKEN');
    expect((await t.http.get(`/accounts/${first.id}`)).body.username).toBe('Unique.Name');
  });

  it('answers 404 for an unknown or deleted customer', async () => {
    expectProblem(
      await t.http.post('/accounts').send({ customer_id: 999999, username: 'nobody', password: 'long enough pw' }),
      404,
      'CUSTOMER_NOT_FOUND',
    );
    const customer = await createCustomer(t.http);
    await t.http.delete(`/customers/${customer.id}`).expect(200);
    expectProblem(
      await t.http.post('/accounts').send({ customer_id: customer.id, username: 'ghost', password: 'long enough pw' }),
      404,
      'CUSTOMER_NOT_FOUND',
    );
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

describe('Password changes and revoked tokens (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  const logIn = async (username: string, password: string) =>
    (await t.anon.post('/auth/login').send({ username, password }).expect(200)).body.access_token as string;
  const canLogIn = async (username: string, password: string) =>
    (await t.anon.post('/auth/login').send({ username, password })).status === 200;

  it('asks a customer for current_password to change its own password (400 CURRENT_PASSWORD_REQUIRED), and changes nothing', async () => {
    const { customer, account, token } = await loggedInCustomer(t.http);
    const res = await t.as(token).put(`/accounts/${account.id}`).send({ password: 'a brand new secret' });
    expect(expectProblem(res, 400, 'CURRENT_PASSWORD_REQUIRED').errors).toEqual([expect.objectContaining({ field: 'current_password' })]);
    expect(await canLogIn(account.username, account.password)).toBe(true);
    await t.as(token).get(`/customers/${customer.id}`).expect(200);
  });

  it('refuses a wrong current_password with 403 CURRENT_PASSWORD_INCORRECT, and changes nothing', async () => {
    const { customer, account, token } = await loggedInCustomer(t.http);
    const res = await t
      .as(token)
      .put(`/accounts/${account.id}`)
      .send({ current_password: 'not the password', password: 'a brand new secret' });
    expectProblem(res, 403, 'CURRENT_PASSWORD_INCORRECT');
    expect(await canLogIn(account.username, account.password)).toBe(true);
    expect(await canLogIn(account.username, 'a brand new secret')).toBe(false);
    await t.as(token).get(`/customers/${customer.id}`).expect(200);
  });

  it('refuses current_password sent as null with 400', async () => {
    const { account, token } = await loggedInCustomer(t.http);
    const res = await t.as(token).put(`/accounts/${account.id}`).send({ current_password: null, password: 'a brand new secret' });
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'current_password' })]),
    );
  });

  it("changes the password with the right current_password, and refuses every earlier token, the caller's own included", async () => {
    const { customer, account, token } = await loggedInCustomer(t.http);
    const second = await logIn(account.username, account.password);
    await t
      .as(token)
      .put(`/accounts/${account.id}`)
      .send({ current_password: account.password, password: 'a brand new secret' })
      .expect(200);
    for (const old of [token, second]) expectProblem(await t.as(old).get(`/customers/${customer.id}`), 401, 'UNAUTHORIZED');
    expect(await canLogIn(account.username, account.password)).toBe(false);
    const fresh = await logIn(account.username, 'a brand new secret');
    await t.as(fresh).get(`/customers/${customer.id}`).expect(200);
  });

  it("lets an API-key caller reset a password without current_password, and the customer's tokens die with the old one", async () => {
    const { customer, account, token } = await loggedInCustomer(t.http);
    await t.http.put(`/accounts/${account.id}`).send({ password: 'reset by support' }).expect(200);
    expectProblem(await t.as(token).get(`/customers/${customer.id}`), 401, 'UNAUTHORIZED');
    await t
      .as(await logIn(account.username, 'reset by support'))
      .get(`/customers/${customer.id}`)
      .expect(200);
  });

  it('keeps tokens when only the username changes', async () => {
    const { customer, account, token } = await loggedInCustomer(t.http);
    await t
      .as(token)
      .put(`/accounts/${account.id}`)
      .send({ username: `renamed${account.id}` })
      .expect(200);
    await t.as(token).get(`/customers/${customer.id}`).expect(200);
  });

  it('refuses the tokens of a deleted login, also once the customer has a new login', async () => {
    const { customer, account, token } = await loggedInCustomer(t.http);
    await t.http.delete(`/accounts/${account.id}`).expect(200);
    expectProblem(await t.as(token).get(`/customers/${customer.id}`), 401, 'UNAUTHORIZED');
    // same customer, same username and password: a new login, whose tokens alone work
    const again = await createAccount(t.http, customer.id, { username: account.username, password: account.password });
    expectProblem(await t.as(token).get(`/customers/${customer.id}`), 401, 'UNAUTHORIZED');
    await t
      .as(await logIn(again.username, again.password))
      .get(`/customers/${customer.id}`)
      .expect(200);
  });

  it('counts wrong current passwords against the login limit of the username', async () => {
    const { account, token } = await loggedInCustomer(t.http); // one attempt used
    for (let i = 1; i < MAX_ATTEMPTS_PER_USERNAME; i++) {
      expectProblem(
        await t
          .as(token)
          .put(`/accounts/${account.id}`)
          .send({ current_password: `guess-${i}`, password: 'a brand new secret' }),
        403,
        'CURRENT_PASSWORD_INCORRECT',
      );
    }
    const blocked = await t
      .as(token)
      .put(`/accounts/${account.id}`)
      .send({ current_password: account.password, password: 'a brand new secret' });
    expectProblem(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
