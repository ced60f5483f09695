import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { AppConfig } from '../config/configuration';
import { InventoryService } from './inventory.service';
import { RestockJob } from './restock.job';

describe('RestockJob', () => {
  const config = (overrides: Partial<AppConfig>) => ({ restockCron: '* * * * * *', restockEnabled: true, ...overrides }) as AppConfig;
  let scheduler: SchedulerRegistry;
  beforeEach(() => (scheduler = new SchedulerRegistry()));
  afterEach(() => scheduler.getCronJobs().forEach((job) => job.stop()));

  it('registers the pass on RESTOCK_CRON and calls InventoryService.restockLowStock on each tick', async () => {
    const inventory = { restockLowStock: jest.fn().mockResolvedValue([]) } as unknown as InventoryService;
    new RestockJob(inventory, scheduler, config({ restockCron: '* * * * * *' })).onApplicationBootstrap();
    expect(scheduler.getCronJob(RestockJob.NAME).cronTime.source).toBe('* * * * * *');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((inventory.restockLowStock as jest.Mock).mock.calls.length).toBeGreaterThanOrEqual(1);
  });

  it('registers nothing when RESTOCK_ENABLED=false', () => {
    const inventory = { restockLowStock: jest.fn() } as unknown as InventoryService;
    new RestockJob(inventory, scheduler, config({ restockEnabled: false })).onApplicationBootstrap();
    expect(scheduler.getCronJobs().size).toBe(0);
  });

  it('logs a failed pass instead of crashing the process', async () => {
    const inventory = { restockLowStock: jest.fn().mockRejectedValue(new Error('db down')) } as unknown as InventoryService;
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    await expect(new RestockJob(inventory, scheduler, config({})).run()).resolves.toBeUndefined();
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('Restock pass failed: Error: db down'));
    logged.mockRestore();
  });
});
