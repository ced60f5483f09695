import { Logger } from '@nestjs/common';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { createServer } from 'node:net';
import { RedisConnection } from '../platform/redis-connection';
import { RedisThrottlerStorage, SharedThrottlerStorage } from './shared-throttler-storage';

/**
 * Against the real Redis (REDIS_URL, default 127.0.0.1:6379), which CI starts: without it these fail, they do
 * not skip. Each test counts under a prefix of its own, deleted afterwards.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let run = 0;

describe('RedisThrottlerStorage (real Redis)', () => {
  const clients: Redis[] = [];
  let prefix: string;
  const client = (keyPrefix = prefix) => {
    const redis = new Redis(REDIS_URL, { keyPrefix, maxRetriesPerRequest: 1 });
    clients.push(redis);
    return redis;
  };
  const storage = (keyPrefix = prefix) => new RedisThrottlerStorage(client(keyPrefix));

  beforeEach(() => (prefix = `ecommerce-test:unit:${process.pid}:${++run}:`));
  afterEach(async () => {
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`ecommerce-test:unit:${process.pid}:*`);
    if (keys.length) await admin.del(...keys);
    await admin.quit();
    await Promise.all(clients.splice(0).map((c) => c.quit()));
  });

  const hits = async (sut: ThrottlerStorage, n: number, limit: number, ttl = 60_000, block = ttl) => {
    const records = [];
    for (let i = 0; i < n; i++) records.push(await sut.increment('client-a', ttl, limit, block, 'default'));
    return records;
  };

  it('counts the hits of a window and tells the seconds it has left', async () => {
    const records = await hits(storage(), 3, 5);
    expect(records.map((r) => r.totalHits)).toEqual([1, 2, 3]);
    expect(records.every((r) => !r.isBlocked && r.timeToBlockExpire === 0)).toBe(true);
    expect(records.map((r) => r.timeToExpire)).toEqual([60, 60, 60]);
  });

  it('blocks the hit past the limit for the block duration, and does not count a blocked caller', async () => {
    const records = await hits(storage(), 5, 3, 60_000, 30_000);
    expect(records.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [4, true],
    ]);
    expect(records[3].timeToBlockExpire).toBe(30);
    expect(records[4].timeToBlockExpire).toBe(30);
  });

  it('starts again from nothing when the window ends', async () => {
    const sut = storage();
    await hits(sut, 2, 2, 500);
    await sleep(600);
    expect(await sut.increment('client-a', 500, 2, 500, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('starts again from nothing when a block shorter than the window ends', async () => {
    const sut = storage();
    expect((await hits(sut, 3, 2, 60_000, 500)).map((r) => r.isBlocked)).toEqual([false, false, true]);
    await sleep(600);
    expect(await sut.increment('client-a', 60_000, 2, 500, 'default')).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('answers like the in-memory storage for the same calls', async () => {
    const script = async (sut: ThrottlerStorage) => {
      const seen = [];
      for (const pause of [0, 0, 0, 0, 0, 1100, 0, 0, 0]) {
        await sleep(pause);
        const { totalHits, isBlocked, timeToBlockExpire } = await sut.increment('client-a', 1000, 2, 1000, 'default');
        seen.push({ totalHits, isBlocked, timeToBlockExpire: isBlocked ? timeToBlockExpire : 0 });
      }
      return seen;
    };
    const memory = new ThrottlerStorageService();
    const [inMemory, inRedis] = await Promise.all([script(memory), script(storage())]);
    memory.onApplicationShutdown();
    expect(inRedis).toEqual(inMemory);
  });

  it('shares one count between two storages on two connections (two instances): exactly the limit passes', async () => {
    const [a, b] = [storage(), storage()];
    const records = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).increment('client-a', 60_000, 25, 60_000, 'default')),
    );
    expect(records.filter((r) => !r.isBlocked)).toHaveLength(25);
    expect(
      records
        .filter((r) => !r.isBlocked)
        .map((r) => r.totalHits)
        .sort((x, y) => x - y),
    ).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await a.increment('client-a', 60_000, 25, 60_000, 'default')).toMatchObject({ isBlocked: true });
    expect(await b.increment('client-a', 60_000, 25, 60_000, 'default')).toMatchObject({ isBlocked: true });
  });

  it('keeps keys, throttler names and key prefixes apart', async () => {
    const sut = storage();
    await hits(sut, 2, 5);
    expect((await sut.increment('client-b', 60_000, 5, 60_000, 'default')).totalHits).toBe(1);
    expect((await sut.increment('client-a', 60_000, 5, 60_000, 'login')).totalHits).toBe(1);
    expect((await storage(`${prefix}other:`).increment('client-a', 60_000, 5, 60_000, 'default')).totalHits).toBe(1);
    expect((await sut.increment('client-a', 60_000, 5, 60_000, 'default')).totalHits).toBe(3);
  });

  it('writes only keys under its prefix, each with an expiry', async () => {
    await hits(storage(), 4, 3);
    const admin = client('');
    const keys = await admin.keys(`${prefix}*`);
    expect(keys.sort()).toEqual([`${prefix}throttle:default:client-a`, `${prefix}throttle:default:client-a:blocked`]);
    for (const key of keys) expect(await admin.pttl(key)).toBeGreaterThan(0);
  });
});

describe('SharedThrottlerStorage', () => {
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const connect = async (url: string) => {
    const connection = new RedisConnection({ url, keyPrefix: `ecommerce-test:unit:${process.pid}:${++run}:` });
    await connection.onModuleInit();
    return connection;
  };

  it('counts in Redis while it answers, and closes the connection on shutdown without a warning', async () => {
    const connection = await connect(REDIS_URL);
    const sut = new SharedThrottlerStorage(connection);
    try {
      await sut.increment('client-a', 60_000, 5, 60_000, 'default');
      expect(await connection.client!.get('throttle:default:client-a')).toBe('1');
    } finally {
      await connection.client!.del('throttle:default:client-a');
      sut.onApplicationShutdown();
      await connection.onApplicationShutdown();
    }
    expect(connection.client!.status).toBe('end');
    expect(warn).not.toHaveBeenCalled();
  });

  it('counts in memory, at once and with one warning, while Redis is unreachable', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const connection = await connect(`redis://127.0.0.1:${closedPort}`);
    const sut = new SharedThrottlerStorage(connection);
    try {
      const started = Date.now();
      const records = [];
      for (let i = 0; i < 4; i++) records.push(await sut.increment('client-a', 60_000, 3, 60_000, 'default'));
      expect(Date.now() - started).toBeLessThan(100);
      expect(records.map((r) => r.isBlocked)).toEqual([false, false, false, true]);
      await sleep(300); // ioredis retries meanwhile: still one warning
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(new RegExp(`^Redis at 127\\.0\\.0\\.1:${closedPort} does not answer .*counted per instance`));
    } finally {
      sut.onApplicationShutdown();
      await connection.onApplicationShutdown();
    }
  });

  it('never logs the URL, which may carry a password', async () => {
    const connection = await connect('redis://:s3cret@127.0.0.1:1');
    await connection.onApplicationShutdown();
    expect(JSON.stringify([...warn.mock.calls, ...log.mock.calls])).not.toContain('s3cret');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Redis at 127\.0\.0\.1:1 does not answer/));
  });
});
