import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { appConfig, type AppConfig } from '../config/configuration';
import { InventoryService } from './inventory.service';

/** Registers the restock pass on RESTOCK_CRON (six fields, seconds first). The logic is in InventoryService. */
@Injectable()
export class RestockJob implements OnApplicationBootstrap {
  static readonly NAME = 'restock-low-stock';
  private readonly logger = new Logger(RestockJob.name);

  constructor(
    private readonly inventory: InventoryService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.restockEnabled) return;
    const job = CronJob.from({ cronTime: this.config.restockCron, onTick: () => this.run(), waitForCompletion: true });
    this.scheduler.addCronJob(RestockJob.NAME, job);
    job.start();
    this.logger.log(`Restock pass scheduled: "${this.config.restockCron}"`);
  }

  async run(): Promise<void> {
    await this.inventory.restockLowStock().catch((error: Error) => this.logger.error(`Restock pass failed: ${error.stack}`));
  }
}
