import { Injectable, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { InjectDataSource } from '@nestjs/typeorm';
import { CronJob } from 'cron';
import { DataSource, LessThan } from 'typeorm';
import type { JobSchedule } from '../config/configuration';
import { isUniqueViolation } from '../database/driver-errors';
import { sqlDialect } from '../database/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { JobClaim } from './entities/job-claim.entity';
import { systemActor } from '../common/actor';
import { runAs } from '../platform/request-context';

/** Claims older than this are deleted by the instance that wins a tick. */
const CLAIM_RETENTION_MS = 24 * 60 * 60 * 1000;

export type TickOutcome = 'ran' | 'claimed-elsewhere' | 'failed';

/**
 * The one convention for scheduled work: a job registers a cron expression and one service call; each
 * tick is claimed in the database first (an INSERT of (job, tick) into `job_claims`, whose primary key only
 * one instance can write), so the work runs once per tick however many instances share the database.
 * The tick is the database's time rounded to the second, so application clocks do not matter as long as
 * the instances' schedulers fire within half a second of each other.
 */
@Injectable()
export class JobScheduler {
  private readonly logger = new Logger(JobScheduler.name);
  private readonly tickSql: string;

  constructor(
    private readonly schedulerRegistry: SchedulerRegistry,
    private readonly tx: TransactionRunner,
    @InjectDataSource() dataSource: DataSource,
  ) {
    // the database's clock, rounded: instances whose ticks fire a few ms apart agree on it
    this.tickSql = sqlDialect(dataSource).unixSecondsRounded;
  }

  register(name: string, schedule: JobSchedule, work: () => Promise<unknown>): void {
    if (!schedule.enabled) return;
    const job = CronJob.from({ cronTime: schedule.cron, onTick: async () => void (await this.tick(name, work)), waitForCompletion: true });
    this.schedulerRegistry.addCronJob(name, job);
    job.start();
    this.logger.log(`Job ${name} scheduled: "${schedule.cron}"`);
  }

  /** One tick: claim it, then run the work; a failure is logged, never thrown into the scheduler. */
  async tick(name: string, work: () => Promise<unknown>): Promise<TickOutcome> {
    try {
      // debug lines: with several instances, which one ran each tick is read from their logs
      if (!(await this.claim(name))) {
        this.logger.debug(`Job ${name}: tick claimed by another instance`);
        return 'claimed-elsewhere';
      }
      await runAs(systemActor(name), work);
      this.logger.debug(`Job ${name}: ran this tick`);
      return 'ran';
    } catch (error) {
      this.logger.error(`Job ${name} failed: ${(error as Error).stack}`);
      return 'failed';
    }
  }

  /** True when this instance inserted the claim of the current tick. */
  async claim(name: string): Promise<boolean> {
    try {
      await this.tx.run(async ({ manager }) => {
        await manager.query(`INSERT INTO job_claims (job_name, tick) VALUES (?, ${this.tickSql})`, [name]);
        await manager.delete(JobClaim, { jobName: name, claimedAt: LessThan(new Date(Date.now() - CLAIM_RETENTION_MS)) });
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}
