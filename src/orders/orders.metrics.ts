import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '../platform/metrics/metrics-registry';

/** Why an order was refused: the outcomes the shop watches beside the placed ones. */
export type OrderRefusal = 'insufficient_stock';

/** `orders_placed_total` and `orders_refused_total{reason}`, counted by OrdersService once the outcome is final. */
@Injectable()
export class OrdersMetrics {
  private readonly placedCounter: Counter;
  private readonly refusedCounter: Counter<'reason'>;

  constructor(metrics: MetricsRegistry) {
    this.placedCounter = metrics.counter({ name: 'orders_placed_total', help: 'Orders placed (counted once committed)' });
    this.refusedCounter = metrics.counter({
      name: 'orders_refused_total',
      help: 'Orders refused, by reason (insufficient_stock: a 409 naming the products short)',
      labelNames: ['reason'] as const,
    });
    // present from the start, so that rate() sees the first refusal
    this.refusedCounter.inc({ reason: 'insufficient_stock' }, 0);
  }

  placed(): void {
    this.placedCounter.inc();
  }

  refused(reason: OrderRefusal): void {
    this.refusedCounter.inc({ reason });
  }
}
