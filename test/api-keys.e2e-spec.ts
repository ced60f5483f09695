import { getRepositoryToken } from '@nestjs/typeorm';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { hashApiKey } from '../src/api-keys/api-key-secret';
import { ApiKey } from '../src/api-keys/entities/api-key.entity';
import { TransactionRunner } from '../src/database/transaction-runner';
import { onMysql, secretIn, startApp, TestApp, type StartOptions } from './support/app';
import { createApiKey, createCustomer, createProduct, expectProblem } from './support/factories';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('API keys (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  const rows = (): Promise<Record<string, unknown>[]> => t.app.get(DataSource).query('SELECT * FROM api_keys ORDER BY id');

  describe('POST /api-keys', () => {
    it('issues a named key with its scopes and shows the key only in this answer; the database holds only its hash', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const res = await t.http
        .post('/api-keys')
        .send({ name: '  reporting-service ', scopes: ['orders:read', 'events:read'], expires_at: expiresAt });
      expect(res.status).toBe(201);
      const { message, api_key: created } = res.body;
      expect(message).toBe('API key created: store the key now, it is not shown again');
      expect(created).toEqual({
        id: expect.any(Number),
        name: 'reporting-service',
        scopes: ['orders:read', 'events:read'],
        prefix: expect.stringMatching(/^eak_[0-9a-f]{12}$/),
        created_at: expect.stringMatching(ISO),
        expires_at: expiresAt,
        last_used_at: null,
        revoked_at: null,
        key: expect.stringMatching(/^eak_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/),
      });
      expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);

      const row = (await rows()).find((r) => r.id === created.id)!;
      expect(row).toMatchObject({ prefix: created.prefix, secret_hash: hashApiKey(created.key), name: 'reporting-service' });
      expect(JSON.stringify(await rows())).not.toContain(created.key.slice(created.prefix.length + 1));

      // neither the list nor the read shows it again
      const read = await t.http.get(`/api-keys/${created.id}`).expect(200);
      expect(read.body).toEqual({ ...created, key: undefined });
      expect(read.body).not.toHaveProperty('key');
      const list = await t.http.get('/api-keys').query({ limit: 100 }).expect(200);
      expect(list.body.items.find((k: { id: number }) => k.id === created.id)).not.toHaveProperty('key');
      for (const answer of [read, list]) expect(answer.text).not.toContain(created.key);
    });

    it('lists keys newest first in the usual page shape, revoked ones included', async () => {
      const older = await createApiKey(t.http, ['orders:read']);
      const newer = await createApiKey(t.http, ['events:read']);
      await t.http.delete(`/api-keys/${older.id}`).expect(200);
      const page = (await t.http.get('/api-keys').query({ limit: 2 }).expect(200)).body;
      expect(page).toMatchObject({ limit: 2, offset: 0, total: expect.any(Number) });
      expect(page.items.map((k: { id: number }) => k.id)).toEqual([newer.id, older.id]);
      expect(page.items[1].revoked_at).toMatch(ISO);
      expect(page.total).toBe((await rows()).length);
    });

    const tooLate = '3000-01-01T00:00:00.000Z';
    it.each([
      ['no name', { scopes: ['orders:read'] }, 'name'],
      ['a null name', { name: null, scopes: ['orders:read'] }, 'name'],
      ['a blank name', { name: '   ', scopes: ['orders:read'] }, 'name'],
      ['a name of 101 characters', { name: 'n'.repeat(101), scopes: ['orders:read'] }, 'name'],
      ['a number for a name', { name: 42, scopes: ['orders:read'] }, 'name'],
      ['no scopes', { name: 'svc' }, 'scopes'],
      ['null scopes', { name: 'svc', scopes: null }, 'scopes'],
      ['an empty list of scopes', { name: 'svc', scopes: [] }, 'scopes'],
      ['a scope as a string', { name: 'svc', scopes: 'admin' }, 'scopes'],
      ['an unknown scope', { name: 'svc', scopes: ['orders:read', 'orders:delete'] }, 'scopes'],
      ['a scope twice', { name: 'svc', scopes: ['orders:read', 'orders:read'] }, 'scopes'],
      ['a scope that is not a string', { name: 'svc', scopes: [7] }, 'scopes'],
      ['an expiry in the past', { name: 'svc', scopes: ['orders:read'], expires_at: '2020-01-01T00:00:00.000Z' }, 'expires_at'],
      ['an expiry that is not a date', { name: 'svc', scopes: ['orders:read'], expires_at: 'tomorrow' }, 'expires_at'],
      ['a null expiry', { name: 'svc', scopes: ['orders:read'], expires_at: null }, 'expires_at'],
      ['an expiry as a number', { name: 'svc', scopes: ['orders:read'], expires_at: 1893456000000 }, 'expires_at'],
      ['an expiry past the year 2999', { name: 'svc', scopes: ['orders:read'], expires_at: tooLate }, 'expires_at'],
      ['a key of its own choosing', { name: 'svc', scopes: ['admin'], key: 'eak_000000000000_chosen' }, 'key'],
      ['a prefix', { name: 'svc', scopes: ['admin'], prefix: 'eak_000000000000' }, 'prefix'],
      ['a revoked_at', { name: 'svc', scopes: ['admin'], revoked_at: null }, 'revoked_at'],
    ])('answers 400 to %s, naming the field, and creates nothing', async (_case, body, field) => {
      const before = (await rows()).length;
      const problem = expectProblem(await t.http.post('/api-keys').send(body), 400, 'VALIDATION_FAILED');
      expect((problem.errors as { field: string }[]).map((e) => e.field)).toContain(field);
      expect((await rows()).length).toBe(before);
    });

    it('answers 400 to a body that is not an object', async () => {
      expectProblem(await t.http.post('/api-keys').send([{ name: 'svc', scopes: ['admin'] }]), 400);
      expectProblem(await t.http.post('/api-keys').set('Content-Type', 'application/json').send('null'), 400);
    });
  });

  describe('GET and DELETE /api-keys/:id', () => {
    it('answers 404 for an unknown key and 400 for an id that is not one', async () => {
      expectProblem(await t.http.get('/api-keys/999999'), 404, 'API_KEY_NOT_FOUND');
      expectProblem(await t.http.delete('/api-keys/999999'), 404, 'API_KEY_NOT_FOUND');
      expectProblem(await t.http.get('/api-keys/abc'), 400, 'INVALID_ID');
    });

    it('revokes a key: refused at once with 401, still readable with revoked_at; revoking again changes nothing', async () => {
      const created = await createApiKey(t.http, ['orders:read']);
      await t.withKey(created.key).get('/orders').expect(200);
      expect((await t.http.delete(`/api-keys/${created.id}`).expect(200)).body).toEqual({
        message: `API key ${created.id} (${created.name}) revoked`,
      });
      expect(expectProblem(await t.withKey(created.key).get('/orders'), 401, 'UNAUTHORIZED').detail).toBe('This API key was revoked');
      const revokedAt = (await t.http.get(`/api-keys/${created.id}`).expect(200)).body.revoked_at;
      expect(revokedAt).toMatch(ISO);
      await t.http.delete(`/api-keys/${created.id}`).expect(200);
      expect((await t.http.get(`/api-keys/${created.id}`).expect(200)).body.revoked_at).toBe(revokedAt);
    });
  });

  describe('a scoped key', () => {
    it('does what its scopes allow, is refused 403 INSUFFICIENT_SCOPE for the rest, and cannot manage keys', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 5 });
      const shop = t.withKey((await createApiKey(t.http, ['orders:write', 'orders:read'])).key);
      const order = (
        await shop
          .post('/orders')
          .send({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] })
          .expect(201)
      ).body.order;
      await shop.get(`/orders/${order.id}`).expect(200);
      await shop.post(`/orders/${order.id}/cancel`).expect(200);
      expectProblem(await shop.delete(`/products/${product.id}`), 403, 'INSUFFICIENT_SCOPE');
      expectProblem(await shop.post('/api-keys').send({ name: 'escalate', scopes: ['admin'] }), 403, 'INSUFFICIENT_SCOPE');
      expect((await t.http.get(`/products/${product.id}/stock`).expect(200)).body.quantity).toBe(5);
    });

    it('keeps its own Idempotency-Key namespace: two services using the same key each get their own order', async () => {
      const customer = await createCustomer(t.http);
      const product = await createProduct(t.http, { stock_quantity: 5 });
      const body = { customer_id: customer.id, items: [{ product_id: product.id, quantity: 1 }] };
      const [one, two] = await Promise.all([createApiKey(t.http, ['orders:write']), createApiKey(t.http, ['orders:write'])]);
      const first = await t.withKey(one.key).post('/orders').set('Idempotency-Key', 'shared-key-1').send(body).expect(201);
      const replay = await t.withKey(one.key).post('/orders').set('Idempotency-Key', 'shared-key-1').send(body).expect(201);
      const second = await t.withKey(two.key).post('/orders').set('Idempotency-Key', 'shared-key-1').send(body).expect(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.order.id).toBe(first.body.order.id);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.body.order.id).not.toBe(first.body.order.id);
    });
  });

  describe('last_used_at', () => {
    it('is set on the first use and not written again by the next requests within the minute', async () => {
      const created = await createApiKey(t.http, ['orders:read']);
      const reader = t.withKey(created.key);
      expect((await t.http.get(`/api-keys/${created.id}`).expect(200)).body.last_used_at).toBeNull();

      const writes = jest.spyOn(t.app.get(TransactionRunner), 'run');
      try {
        await reader.get('/orders').expect(200);
        expect(writes).toHaveBeenCalledTimes(1);
        const first = (await t.http.get(`/api-keys/${created.id}`).expect(200)).body.last_used_at;
        expect(first).toMatch(ISO);
        expect(Date.now() - Date.parse(first)).toBeLessThan(60_000);

        for (let i = 0; i < 5; i++) await reader.get('/orders').expect(200);
        await reader.post('/api-keys').send({}).expect(403);
        // GET /orders writes nothing itself: every write would have been a last_used_at UPDATE
        expect(writes).toHaveBeenCalledTimes(1);
        expect((await t.http.get(`/api-keys/${created.id}`).expect(200)).body.last_used_at).toBe(first);
      } finally {
        writes.mockRestore();
      }
    });
  });

  describe('the response scan of the e2e suites', () => {
    it('recognises an API key in any answer but the one that issues it', async () => {
      const { key } = await createApiKey(t.http, ['orders:read']);
      const body = JSON.stringify({ message: 'API key created', api_key: { key } });
      expect(secretIn('POST', '/api-keys', 201, body)).toBeUndefined();
      expect(secretIn('GET', '/api-keys', 200, body)).toBe('an API key');
      expect(secretIn('GET', '/api-keys/1', 200, JSON.stringify({ prefix: key.slice(0, 16) }))).toBeUndefined();
      expect(secretIn('POST', '/api-keys', 400, JSON.stringify({ detail: `bad ${key}` }))).toBe('an API key');
      expect(secretIn('GET', '/customers/1', 200, JSON.stringify({ note: key }))).toBe('an API key');
    });
  });
});

describe('API keys and the rate limit (e2e)', () => {
  let t: TestApp;
  // no cache, so that every look-up reaches the database and can be counted
  beforeAll(async () => (t = await startApp({ env: { RATE_LIMIT_PER_MINUTE: '3', API_KEY_CACHE_TTL_MS: '0' } })));
  afterAll(() => t.close());

  it('does not limit a valid stored key, and looks it up once per request (the rate limiter and the guard share it)', async () => {
    const { key } = await createApiKey(t.http, ['orders:read']);
    const lookups = jest.spyOn(t.app.get(getRepositoryToken(ApiKey)), 'createQueryBuilder');
    try {
      for (let i = 0; i < 6; i++) {
        const res = await t.withKey(key).get('/orders').expect(200);
        expect(res.headers['ratelimit-limit']).toBeUndefined();
      }
      expect(lookups).toHaveBeenCalledTimes(6);
    } finally {
      lookups.mockRestore();
    }
  });

  it('counts a revoked key like an anonymous caller', async () => {
    const created = await createApiKey(t.http, ['orders:read']);
    await t.http.delete(`/api-keys/${created.id}`).expect(200);
    const res = await t.withKey(created.key).get('/orders');
    expectProblem(res, 401, 'UNAUTHORIZED');
    expect(res.headers['ratelimit-limit']).toBe('3');
  });
});

describe('Revocation across instances (e2e)', () => {
  /** Two apps on one database: a MariaDB database, or one SQLite file (in-memory databases are per app). */
  async function twoInstances(): Promise<[TestApp, TestApp, () => Promise<void>]> {
    if (onMysql) {
      const a = await startApp();
      const b = await startApp({ database: a.database, reuse: true });
      return [a, b, async () => (await b.close(), await a.close())];
    }
    const file = join(tmpdir(), `ecommerce-apikeys-${process.pid}-${Date.now()}.sqlite`);
    const options: StartOptions = { env: { DB_PATH: file } };
    const a = await startApp(options);
    const b = await startApp(options);
    return [
      a,
      b,
      async () => {
        await b.close();
        await a.close();
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    ];
  }

  it('a key revoked on instance A is refused by instance B within 2 s', async () => {
    const [a, b, close] = await twoInstances();
    try {
      const created = await createApiKey(a.http, ['orders:read']);
      // B has looked the key up (and may answer from memory) just before the revocation
      await b.withKey(created.key).get('/orders').expect(200);
      await a.withKey(created.key).get('/orders').expect(200);
      await a.http.delete(`/api-keys/${created.id}`).expect(200);
      const revokedAt = Date.now();
      expectProblem(await a.withKey(created.key).get('/orders'), 401, 'UNAUTHORIZED');

      let status = 200;
      while (status !== 401 && Date.now() - revokedAt < 3000) {
        status = (await b.withKey(created.key).get('/orders')).status;
        if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const delay = Date.now() - revokedAt;
      console.log(`revocation reached the other instance after ${delay} ms (${onMysql ? 'MariaDB' : 'SQLite file'})`);
      expect(status).toBe(401);
      expect(delay).toBeLessThan(2000);
    } finally {
      await close();
    }
  });
});
