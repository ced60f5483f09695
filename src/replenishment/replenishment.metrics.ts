import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '../platform/metrics/metrics-registry';
import { REPLENISHMENT_ORIGINS, type ReplenishmentOrigin } from './entities/replenishment.entity';

/**
 * The replenishment pass and the orders' steps, counted by ReplenishmentService once committed:
 * `restock_passes_total`, `restock_pass_failures_total`, and `replenishments_created_total`,
 * `replenishment_receipts_total` and `replenishments_cancelled_total`, each by `origin` (automatic or manual).
 */
@Injectable()
export class ReplenishmentMetrics {
  private readonly passes: Counter;
  private readonly passFailures: Counter;
  private readonly created: Counter<'origin'>;
  private readonly receipts: Counter<'origin'>;
  private readonly cancelled: Counter<'origin'>;

  constructor(metrics: MetricsRegistry) {
    this.passes = metrics.counter({
      name: 'restock_passes_total',
      help: 'Replenishment passes run by this instance (scheduled ticks it claimed, and POST /inventory/restock), failed ones included',
    });
    this.passFailures = metrics.counter({ name: 'restock_pass_failures_total', help: 'Replenishment passes that ended in an error' });
    const byOrigin = (name: string, help: string) => {
      const counter = metrics.counter({ name, help, labelNames: ['origin'] as const });
      // present from the start, so that rate() sees the first of each
      for (const origin of REPLENISHMENT_ORIGINS) counter.inc({ origin }, 0);
      return counter;
    };
    this.created = byOrigin('replenishments_created_total', 'Replenishment orders created, by origin (automatic: the pass; manual)');
    this.receipts = byOrigin(
      'replenishment_receipts_total',
      'Receipts of replenishment orders, by origin (each partial receipt counts; a lead-time-0 automatic order is received at once)',
    );
    this.cancelled = byOrigin('replenishments_cancelled_total', 'Replenishment orders cancelled, by origin');
  }

  passEnded(outcome: 'completed' | 'failed'): void {
    this.passes.inc();
    if (outcome === 'failed') this.passFailures.inc();
  }

  orderCreated(origin: ReplenishmentOrigin): void {
    this.created.inc({ origin });
  }

  orderReceived(origin: ReplenishmentOrigin): void {
    this.receipts.inc({ origin });
  }

  orderCancelled(origin: ReplenishmentOrigin): void {
    this.cancelled.inc({ origin });
  }
}
