import { MAX_ATTEMPTS_PER_USERNAME } from '../src/auth/login-attempts';
import { REDIS_COMMAND_TIMEOUT_MS, RedisConnection } from '../src/platform/redis-connection';
import { startApp, TestApp } from './support/app';
import { createAccount, createCustomer, expectProblem } from './support/factories';
import { LogCapture } from './support/log-capture';
import { deleteRedisKeys, testRedisAddress, testRedisPrefix } from './support/redis';
import { TcpProxy } from './support/tcp-proxy';

const LIMIT = 4;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let clients = 0;
/** A client address of its own (TRUST_PROXY=1: the test client stands for the load balancer), so each test counts from 0. */
const newClient = () => `198.51.100.${++clients}`;

/**
 * shared/API.md "Several instances": with REDIS_URL, rate and login limits are counted across instances; while
 * Redis is away each instance counts on its own, logs it once, and GET /health says `degraded` with 200. Two
 * apps reach the real Redis (which CI starts; without it these fail) through a TCP proxy the test cuts.
 */
describe('Limits shared through Redis by two instances (e2e)', () => {
  const prefix = testRedisPrefix('e2e');
  const logs = new LogCapture();
  let proxy: TcpProxy;
  let a: TestApp;
  let b: TestApp;
  const both = () => [a, b];

  beforeAll(async () => {
    proxy = await TcpProxy.start(testRedisAddress());
    const env = {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: String(LIMIT),
      TRUST_PROXY: '1',
    };
    a = await startApp({ env, logLevel: 'info', logDestination: logs });
    b = await startApp({ env, logLevel: 'info', logDestination: logs });
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await proxy?.down();
    await deleteRedisKeys(prefix);
  });

  /** Anonymous GET /products from `client`, alternately on A and B; the statuses in order. */
  const alternate = async (client: string, n: number) => {
    const answers = [];
    for (let i = 0; i < n; i++) answers.push(await both()[i % 2].anon.get('/products').set('X-Forwarded-For', client));
    return answers;
  };
  const redisLines = (pattern: RegExp) => logs.lines.filter((line) => line.context === 'Redis' && pattern.test(String(line.msg)));
  const redisState = async (t: TestApp) => (await t.http.get('/health')).body.details?.redis?.status;
  const waitForRedis = async (status: 'up' | 'down') => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if ((await redisState(a)) === status && (await redisState(b)) === status) return;
      await sleep(100);
    }
    throw new Error(`GET /health did not report redis ${status} on both instances within 10 s`);
  };

  it('reports Redis up in GET /health', async () => {
    for (const t of both()) {
      const res = await t.http.get('/health').expect(200);
      expect(res.body).toEqual({
        status: 'ok',
        info: { database: { status: 'up' }, redis: { status: 'up' } },
        error: {},
        details: { database: { status: 'up' }, redis: { status: 'up' } },
      });
    }
  });

  it('lets exactly the limit through across both instances, then answers 429 with Retry-After on both', async () => {
    const statuses = (await alternate(newClient(), LIMIT + 4)).map((res) => res.status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), ...Array(4).fill(429)]);
    const client = newClient();
    await alternate(client, LIMIT);
    for (const t of both()) {
      const res = await t.anon.get('/products').set('X-Forwarded-For', client);
      expectProblem(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('counts login attempts per username across both instances, whatever addresses they come from', async () => {
    const account = await createAccount(a.http, (await createCustomer(a.http)).id);
    for (let i = 0; i < MAX_ATTEMPTS_PER_USERNAME; i++) {
      const res = await both()
        [i % 2].anon.post('/auth/login')
        .set('X-Forwarded-For', newClient())
        .send({ username: account.username, password: 'wrong password' });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
    }
    for (const t of both()) {
      const res = await t.anon
        .post('/auth/login')
        .set('X-Forwarded-For', newClient())
        .send({ username: account.username, password: account.password });
      expectProblem(res, 429, 'RATE_LIMITED');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('keeps serving while Redis is away: limits per instance, one warning per instance, /health degraded with 200', async () => {
    await proxy.down();
    await waitForRedis('down');
    const client = newClient();
    // each instance now lets the limit through on its own
    const statuses = (await alternate(client, 2 * LIMIT + 2)).map((res) => res.status);
    expect(statuses).toEqual([...Array(2 * LIMIT).fill(200), 429, 429]);
    for (const t of both()) {
      await t.http.get('/products').expect(200);
      const health = await t.http.get('/health').expect(200);
      expect(health.body).toMatchObject({
        status: 'degraded',
        info: { database: { status: 'up' } },
        error: { redis: { status: 'down' } },
        details: { database: { status: 'up' }, redis: { status: 'down', message: expect.stringMatching(/per instance/) } },
      });
    }
    const warnings = redisLines(/does not answer .*counted per instance/);
    expect(warnings).toHaveLength(2);
    expect(warnings.every((line) => line.level === 40)).toBe(true);
  });

  it('counts across instances again once Redis is back, and says so once per instance', async () => {
    await proxy.up();
    await waitForRedis('up');
    expect(redisLines(/answers again/)).toHaveLength(2);
    const statuses = (await alternate(newClient(), LIMIT + 2)).map((res) => res.status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429, 429]);
    expect(redisLines(/does not answer/)).toHaveLength(2);
  });

  it('answers within the command timeout when Redis accepts but does not reply, and recovers when it does', async () => {
    proxy.swallowReplies = true;
    const transactions = both().map((t) => jest.spyOn(t.app.get(RedisConnection).client!, 'multi'));
    const client = newClient();
    const timings: number[] = [];
    for (let i = 0; i < 2 * LIMIT; i++) {
      const started = Date.now();
      await both()[i % 2].anon.get('/products').set('X-Forwarded-For', client).expect(200);
      timings.push(Date.now() - started);
    }
    expect(Math.max(...timings)).toBeLessThan(REDIS_COMMAND_TIMEOUT_MS + 500);
    // the first request on each instance waits for the timeout; the next ones leave Redis alone for a while
    expect(transactions.map((spy) => spy.mock.calls.length)).toEqual([1, 1]);
    transactions.forEach((spy) => spy.mockRestore());
    for (const t of both()) expect((await t.http.get('/health').expect(200)).body.status).toBe('degraded');
    // the swallowed replies are gone: a new connection, as after a real network failure
    proxy.swallowReplies = false;
    proxy.cut();
    await waitForRedis('up');
    expect((await alternate(newClient(), LIMIT + 1)).map((res) => res.status)).toEqual([...Array(LIMIT).fill(200), 429]);
  });
});
