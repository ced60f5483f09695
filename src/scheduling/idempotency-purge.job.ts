import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { schedulingConfig, type SchedulingConfig } from '../config/configuration';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { JobScheduler } from './job-scheduler';

/** Forgets stored Idempotency-Key answers past their retention, on IDEMPOTENCY_PURGE_CRON (hourly). */
@Injectable()
export class IdempotencyPurgeJob implements OnApplicationBootstrap {
  static readonly NAME = 'idempotency-purge';

  constructor(
    private readonly jobScheduler: JobScheduler,
    private readonly idempotencyService: IdempotencyService,
    @Inject(schedulingConfig.KEY) private readonly config: SchedulingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobScheduler.register(IdempotencyPurgeJob.NAME, this.config.idempotencyPurge, () => this.idempotencyService.purgeExpired());
  }
}
