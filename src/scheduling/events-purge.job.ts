import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { schedulingConfig, type SchedulingConfig } from '../config/configuration';
import { EventRelay } from '../events/event-relay';
import { EventsService } from '../events/events.service';
import { JobScheduler } from './job-scheduler';

/** Deletes events past EVENTS_RETENTION_DAYS that every destination has taken, on EVENTS_PURGE_CRON (hourly). */
@Injectable()
export class EventsPurgeJob implements OnApplicationBootstrap {
  static readonly NAME = 'events-purge';

  constructor(
    private readonly jobScheduler: JobScheduler,
    private readonly eventsService: EventsService,
    private readonly eventRelay: EventRelay,
    @Inject(schedulingConfig.KEY) private readonly config: SchedulingConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.jobScheduler.register(EventsPurgeJob.NAME, this.config.eventsPurge, async () =>
      this.eventsService.purgeExpired(await this.eventRelay.takenUpTo()),
    );
  }
}
