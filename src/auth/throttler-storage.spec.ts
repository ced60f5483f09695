import { ThrottlerStorageService } from '@nestjs/throttler';
import { SlidingWindowThrottlerStorage } from './throttler-storage';

describe('SlidingWindowThrottlerStorage', () => {
  let stock: ThrottlerStorageService;
  let sut: SlidingWindowThrottlerStorage;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') });
    stock = new ThrottlerStorageService();
    sut = new SlidingWindowThrottlerStorage();
  });

  afterEach(() => {
    stock.onApplicationShutdown();
    jest.useRealTimers();
  });

  /** Both storages, the same hits at the same times: every answer must be the same. */
  async function expectSameAnswers(steps: { advanceMs: number; key: string }[], limit: number, ttl: number, blockDuration: number) {
    for (const [i, { advanceMs, key }] of steps.entries()) {
      jest.setSystemTime(Date.now() + advanceMs);
      const expected = await stock.increment(key, ttl, limit, blockDuration, 'default');
      const actual = await sut.increment(key, ttl, limit, blockDuration, 'default');
      expect({ step: i, ...actual }).toEqual({ step: i, ...expected });
    }
  }

  /** A reproducible pseudo-random walk: bursts, pauses longer than the window, two clients. */
  function walk(seed: number, length: number): { advanceMs: number; key: string }[] {
    let state = seed;
    const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length }, () => ({
      advanceMs: next() < 0.1 ? Math.floor(next() * 3000) : Math.floor(next() * 150),
      key: next() < 0.7 ? 'client-a' : 'client-b',
    }));
  }

  it.each([1, 2, 3, 4, 5])('answers as the stock storage does, blocking for the block duration (walk %i)', async (seed) => {
    await expectSameAnswers(walk(seed, 400), 5, 1000, 1000);
  });

  it.each([1, 2, 3])('answers as the stock storage does without a block duration (walk %i)', async (seed) => {
    await expectSameAnswers(walk(seed, 400), 5, 1000, 0);
  });

  it('does constant work per request: a long window of hits is not rescanned', async () => {
    for (let i = 0; i < 50_000; i++) await sut.increment('busy', 60_000, Number.MAX_SAFE_INTEGER, 60_000, 'default');
    jest.setSystemTime(Date.now() + 60_001);
    const { totalHits } = await sut.increment('busy', 60_000, Number.MAX_SAFE_INTEGER, 60_000, 'default');
    expect(totalHits).toBe(1);
  });
});
