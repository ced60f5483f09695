import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { schedulingConfig, type SchedulingConfig } from '../config/configuration';
import { ReplenishmentService } from '../replenishment/replenishment.service';
import { JobScheduler } from './job-scheduler';

/** The replenishment pass, on RESTOCK_CRON. The logic is ReplenishmentService's. */
@Injectable()
export class RestockJob implements OnApplicationBootstrap {
  static readonly NAME = 'restock';

  constructor(
    private readonly jobScheduler: JobScheduler,
    private readonly replenishmentService: ReplenishmentService,
    @Inject(schedulingConfig.KEY) private readonly config: SchedulingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobScheduler.register(RestockJob.NAME, this.config.restock, () => this.replenishmentService.replenish());
  }
}
