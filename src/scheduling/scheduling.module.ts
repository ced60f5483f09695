import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { IdempotencyModule } from '../idempotency/idempotency.module';
import { ReplenishmentModule } from '../replenishment/replenishment.module';
import { JobClaim } from './entities/job-claim.entity';
import { EventsPurgeJob } from './events-purge.job';
import { IdempotencyPurgeJob } from './idempotency-purge.job';
import { JobScheduler } from './job-scheduler';
import { RestockJob } from './restock.job';

/** Owns `job_claims`; every scheduled job lives here as `<name>.job.ts` and calls one service method. */
@Module({
  imports: [TypeOrmModule.forFeature([JobClaim]), ReplenishmentModule, IdempotencyModule, EventsModule],
  providers: [JobScheduler, RestockJob, IdempotencyPurgeJob, EventsPurgeJob],
})
export class SchedulingModule {}
