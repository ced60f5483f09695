import { Logger } from '@nestjs/common';
import { MetricsRegistry, REFRESH_TIMEOUT_MS } from './metrics-registry';

describe('MetricsRegistry', () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it("keeps each app's series to itself, and gives every app the process's", async () => {
    const [first, second] = [new MetricsRegistry(), new MetricsRegistry()];
    first.counter({ name: 'things_total', help: 'h' }).inc(3);
    second.counter({ name: 'things_total', help: 'h' }).inc();
    expect(await first.scrape()).toContain('things_total 3');
    expect(await second.scrape()).toContain('things_total 1');
    for (const registry of [first, second]) expect(await registry.scrape()).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(first.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  it('refreshes the gauges before each scrape', async () => {
    const sut = new MetricsRegistry();
    const gauge = sut.gauge({ name: 'backlog', help: 'h' });
    let reads = 0;
    sut.beforeScrape(async () => gauge.set(++reads * 10));
    expect(await sut.scrape()).toContain('backlog 10');
    expect(await sut.scrape()).toContain('backlog 20');
  });

  it('answers with the other series when a refresh fails, and logs why', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const sut = new MetricsRegistry();
    sut.counter({ name: 'kept_total', help: 'h' }).inc();
    sut.beforeScrape(async () => {
      throw new Error('the database is down');
    });
    expect(await sut.scrape()).toContain('kept_total 1');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('the database is down'));
  });

  it('waits REFRESH_TIMEOUT_MS for a refresh at the most, then answers without it', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'hrtime', 'performance'] });
    const sut = new MetricsRegistry();
    const gauge = sut.gauge({ name: 'slow_read', help: 'h' });
    sut.beforeScrape(async () => {
      gauge.remove();
      await new Promise(() => undefined);
    });
    let answer: string | undefined;
    const scrape = sut.scrape().then((text) => (answer = text));
    await jest.advanceTimersByTimeAsync(REFRESH_TIMEOUT_MS - 1);
    expect(answer).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    await scrape;
    expect(answer).toContain('# TYPE slow_read gauge');
    expect(answer).not.toMatch(/^slow_read /m);
  });
});
