import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { schedulingConfig, type SchedulingConfig } from '../config/configuration';
import { InventoryService } from '../inventory/inventory.service';
import { JobScheduler } from './job-scheduler';

/** The automatic restock pass, on RESTOCK_CRON. The logic is InventoryService's. */
@Injectable()
export class RestockJob implements OnApplicationBootstrap {
  static readonly NAME = 'restock';

  constructor(
    private readonly jobScheduler: JobScheduler,
    private readonly inventoryService: InventoryService,
    @Inject(schedulingConfig.KEY) private readonly config: SchedulingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobScheduler.register(RestockJob.NAME, this.config.restock, () => this.inventoryService.restockLowStock());
  }
}
