import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { inMemoryDataSource } from '../database/in-memory-data-source';
import { TransactionRunner } from '../database/transaction-runner';
import { JobClaim } from './entities/job-claim.entity';
import { JobScheduler } from './job-scheduler';
import { currentActor, currentRequestId } from '../platform/request-context';
import { RestockJob } from './restock.job';

/** Claims against a real in-memory SQLite database: the once-per-tick guarantee is the primary key's. */
describe('JobScheduler', () => {
  let dataSource: DataSource;
  let registry: SchedulerRegistry;
  let tx: TransactionRunner;
  // one runner for all: on SQLite it is what keeps transactions off each other's single connection
  const scheduler = () => new JobScheduler(registry, tx, dataSource);

  beforeEach(async () => {
    dataSource = await inMemoryDataSource();
    registry = new SchedulerRegistry();
    tx = new TransactionRunner(dataSource);
  });
  afterEach(async () => {
    registry.getCronJobs().forEach((job) => job.stop());
    await dataSource.destroy();
  });

  it('lets one of two instances run a tick; the other finds it claimed; each says which at debug level', async () => {
    const logged = jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const work = jest.fn(async () => undefined);
    const outcomes = await Promise.all([scheduler().tick('job', work), scheduler().tick('job', work)]);
    expect(outcomes.sort()).toEqual(['claimed-elsewhere', 'ran']);
    expect(work).toHaveBeenCalledTimes(1);
    expect(await dataSource.getRepository(JobClaim).count()).toBe(1);
    expect(logged.mock.calls.map(([line]) => line).sort()).toEqual(['Job job: ran this tick', 'Job job: tick claimed by another instance']);
    logged.mockRestore();
  });

  it('claims each job on its own, and the same job again on a later tick', async () => {
    const sut = scheduler();
    expect(await sut.claim('a')).toBe(true);
    expect(await sut.claim('b')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await sut.claim('a')).toBe(true);
  });

  it('runs the work as the system, named after the job (the restock pass as "restock"), outside any request', async () => {
    const seen: unknown[] = [];
    const work = async () => void seen.push({ actor: currentActor(), requestId: currentRequestId() });
    await scheduler().tick(RestockJob.NAME, work);
    await scheduler().tick('events-purge', work);
    expect(seen).toEqual([
      { actor: { type: 'system', name: 'restock' }, requestId: undefined },
      { actor: { type: 'system', name: 'events-purge' }, requestId: undefined },
    ]);
  });

  it('registers the job on its cron and runs it on each tick', async () => {
    const work = jest.fn(async () => undefined);
    scheduler().register('every-second', { cron: '* * * * * *', enabled: true }, work);
    expect(registry.getCronJob('every-second').cronTime.source).toBe('* * * * * *');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(work.mock.calls.length).toBeGreaterThanOrEqual(1);
  });

  it('registers nothing for a disabled job', () => {
    scheduler().register('off', { cron: '* * * * * *', enabled: false }, jest.fn());
    expect(registry.getCronJobs().size).toBe(0);
  });

  it('logs a failed run instead of crashing the process', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await expect(scheduler().tick('failing', async () => Promise.reject(new Error('db down')))).resolves.toBe('failed');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('Job failing failed: Error: db down'));
    logged.mockRestore();
  });
});
