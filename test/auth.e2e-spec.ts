import { PasswordHasher } from '../src/accounts/password-hasher';
import { MAX_ATTEMPTS_PER_CLIENT, MAX_ATTEMPTS_PER_USERNAME } from '../src/auth/login-attempts';
import { createAccount, createCustomer, expectProblem, loggedInCustomer } from './support/factories';
import { startApp, TestApp } from './support/app';

describe('Customer login (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('exchanges username and password for a Bearer token', async () => {
    const customer = await createCustomer(t.http);
    const account = await createAccount(t.http, customer.id, { username: 'Login.Case' });
    const res = await t.anon.post('/auth/login').send({ username: 'login.case', password: account.password }).expect(200);
    expect(res.body).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: 'Bearer',
      expires_in: 3600,
      customer_id: customer.id,
    });
    await t.as(res.body.access_token).get(`/customers/${customer.id}`).expect(200);
  });

  it('gives one answer for an unknown user and a wrong password, and verifies a hash for both', async () => {
    const { account } = await loggedInCustomer(t.http);
    const verify = jest.spyOn(t.app.get(PasswordHasher), 'verify');
    const unknown = await t.anon.post('/auth/login').send({ username: 'no-such-user', password: 'whatever123' });
    const wrong = await t.anon.post('/auth/login').send({ username: account.username, password: 'not the password' });
    expectProblem(unknown, 401, 'INVALID_CREDENTIALS');
    expect({ ...wrong.body, instance: undefined, request_id: undefined }).toEqual({
      ...unknown.body,
      instance: undefined,
      request_id: undefined,
    });
    expect(verify).toHaveBeenCalledTimes(2);
    verify.mockRestore();
  });

  it.each([
    [{ username: 'x' }],
    [{ password: 'x' }],
    [{ username: 'x', password: 5 }],
    [{ username: 'x', password: 'y', remember_me: true }],
  ])('refuses the body %p with 400', async (body) => {
    expectProblem(await t.anon.post('/auth/login').send(body), 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['a trailing space', (name: string) => `${name} `],
    ['a leading space', (name: string) => ` ${name}`],
    ['a trailing tab', (name: string) => `${name}\t`],
    ['a space inside', (name: string) => `${name.slice(0, 3)} ${name.slice(3)}`],
    ['an accented letter', (name: string) => `${name}é`],
    ['two characters', (name: string) => name.slice(0, 2)],
  ])('refuses a username with %s, which no account can have, with 400 (no login as its look-alike)', async (_case, variant) => {
    const account = await createAccount(t.http, (await createCustomer(t.http)).id);
    const res = await t.anon.post('/auth/login').send({ username: variant(account.username), password: account.password });
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors).toEqual([expect.objectContaining({ field: 'username' })]);
  });

  it("stops accepting a deleted customer's token and login", async () => {
    const { customer, account, token } = await loggedInCustomer(t.http);
    await t.http.delete(`/customers/${customer.id}`).expect(200);
    expectProblem(await t.as(token).get(`/customers/${customer.id}`), 401, 'UNAUTHORIZED');
    expectProblem(
      await t.anon.post('/auth/login').send({ username: account.username, password: account.password }),
      401,
      'INVALID_CREDENTIALS',
    );
  });

  it(`limits attempts per username to ${MAX_ATTEMPTS_PER_USERNAME} (429 with Retry-After), even with the right password`, async () => {
    const { account } = await loggedInCustomer(t.http); // one attempt used
    for (let i = 1; i < MAX_ATTEMPTS_PER_USERNAME; i++) {
      expectProblem(
        await t.anon.post('/auth/login').send({ username: account.username, password: 'guess-' + i }),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    const blocked = await t.anon.post('/auth/login').send({ username: account.username.toUpperCase(), password: account.password });
    expectProblem(blocked, 429, 'RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // other users are unaffected
    const other = await loggedInCustomer(t.http);
    expect(other.token).toBeTruthy();
  });
});

describe('Token expiry (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ env: { JWT_EXPIRES_IN: '60' } })));
  afterAll(() => t.close());

  it('refuses a token once it has expired', async () => {
    const customer = await createCustomer(t.http);
    const account = await createAccount(t.http, customer.id);
    const login = await t.anon.post('/auth/login').send({ username: account.username, password: account.password }).expect(200);
    expect(login.body.expires_in).toBe(60);
    const token = login.body.access_token as string;
    await t.as(token).get(`/customers/${customer.id}`).expect(200);
    // the shortest lifetime allowed is a minute: move the server's clock past it rather than wait
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    try {
      expectProblem(await t.as(token).get(`/customers/${customer.id}`), 401, 'UNAUTHORIZED');
    } finally {
      clock.mockRestore();
    }
  });
});

describe('Login limits per client and per username (e2e)', () => {
  // one proxy hop, so that each test client can have an address of its own
  let t: TestApp;
  beforeAll(async () => (t = await startApp({ env: { TRUST_PROXY: '1' } })));
  afterAll(() => t.close());
  const login = (client: string, body: object) => t.anon.post('/auth/login').set('X-Forwarded-For', client).send(body);

  it("stops at the client limit: a client already refused does not use up other accounts' attempts", async () => {
    const victim = await createAccount(t.http, (await createCustomer(t.http)).id);
    const attacker = '198.51.100.66';
    for (let i = 0; i < MAX_ATTEMPTS_PER_CLIENT; i++) {
      expectProblem(await login(attacker, { username: `nobody${i}`, password: 'guess-password' }), 401, 'INVALID_CREDENTIALS');
    }
    // the refused client now aims at the victim, more often than the victim's own limit
    for (let i = 0; i <= MAX_ATTEMPTS_PER_USERNAME; i++) {
      expectProblem(await login(attacker, { username: victim.username, password: 'guess-password' }), 429, 'RATE_LIMITED');
    }
    // the victim, from elsewhere, still logs in
    await login('203.0.113.5', { username: victim.username, password: victim.password }).expect(200);
  });
});
