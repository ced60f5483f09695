import { DataSource } from 'typeorm';
import { expectProblem } from './support/factories';
import { startApp, TestApp } from './support/app';

describe('Platform: errors, limits, health, Swagger (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('answers malformed JSON with 400 MALFORMED_JSON and creates nothing', async () => {
    const res = await t.http.post('/customers').set('Content-Type', 'application/json').send('{"name": "A", "email": ');
    expectProblem(res, 400, 'MALFORMED_JSON');
    expect((await t.http.get('/customers')).body.total).toBe(0);
  });

  it('answers a 2 MB body with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.http
      .post('/customers')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), email: 'big@example.com' }));
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a non-JSON body with 415', async () => {
    expectProblem(await t.http.post('/customers').set('Content-Type', 'text/plain').send('name=A'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers unknown routes with 404 problem+json', async () => {
    expectProblem(await t.http.get('/no-such-route'), 404, 'NOT_FOUND');
    expectProblem(await t.http.patch('/customers'), 404, 'NOT_FOUND');
  });

  it('reports health with the database state', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' } } });
    // without REDIS_URL there is no Redis to report
    expect(res.body.details).not.toHaveProperty('redis');
  });

  it('shares the database ping in flight among the probes that arrive meanwhile, and reuses none once it has settled', async () => {
    const dataSource = t.app.get(DataSource);
    const query = dataSource.query.bind(dataSource);
    let pings = 0;
    let answerPing!: () => void;
    const pingHeld = new Promise<void>((resolve) => (answerPing = resolve));
    const spy = jest.spyOn(dataSource, 'query').mockImplementation(async (sql: string, ...rest: unknown[]) => {
      if (sql === 'SELECT 1') {
        pings += 1;
        // the first ping is held while the other probes arrive
        if (pings === 1) await pingHeld;
      }
      return query(sql, ...(rest as []));
    });
    try {
      const probes = Array.from({ length: 10 }, () => t.http.get('/health').then((res) => res));
      while (pings === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 300));
      answerPing();
      const answers = await Promise.all(probes);
      expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
      expect(pings).toBe(1);
      // settled: the next probe pings the database again
      await t.http.get('/health').expect(200);
      expect(pings).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('serves Swagger UI at /docs and the document at /docs-json with every route so far, tagged', async () => {
    const ui = await t.http.get('/docs').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of [
      '/customers',
      '/customers/{id}',
      '/accounts',
      '/accounts/{id}',
      '/products',
      '/products/{id}',
      '/products/{id}/stock',
      '/health',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    for (const [path, operations] of Object.entries<Record<string, { tags?: string[]; summary?: string }>>(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        expect({ route: `${method} ${path}`, tagged: !!op.tags?.length, summarized: !!op.summary }).toEqual({
          route: `${method} ${path}`,
          tagged: true,
          summarized: true,
        });
      }
    }
  });
});

describe('Health when the database is down (e2e)', () => {
  it('answers 503 problem+json DATABASE_UNAVAILABLE with Retry-After', async () => {
    const t = await startApp();
    try {
      await t.app.get(DataSource).destroy();
      const res = await t.http.get('/health');
      expectProblem(res, 503, 'DATABASE_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
