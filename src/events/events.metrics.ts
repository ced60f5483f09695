import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '../platform/metrics/metrics-registry';
import { EventRelay } from './event-relay';

/**
 * The outbox's backlog, read at scrape time (EventRelay.backlog, one index read): `outbox_backlog_events`, the events
 * not yet taken by every destination, and `outbox_oldest_event_age_seconds`, how long the oldest of them has waited.
 * Both are absent from a scrape whose read failed or did not finish in time.
 */
@Injectable()
export class OutboxMetrics {
  constructor(metrics: MetricsRegistry, eventRelay: EventRelay) {
    const backlog = metrics.gauge({
      name: 'outbox_backlog_events',
      help: 'Committed events not yet taken by every destination (webhooks, the broker): not yet stamped, or after the slowest cursor',
    });
    const oldestAge = metrics.gauge({
      name: 'outbox_oldest_event_age_seconds',
      help: 'How long the oldest event of the backlog has waited since it was written (0 without a backlog)',
    });
    metrics.beforeScrape(async () => {
      backlog.remove();
      oldestAge.remove();
      const { events, oldestAgeSeconds } = await eventRelay.backlog();
      backlog.set(events);
      oldestAge.set(oldestAgeSeconds);
    });
  }
}
