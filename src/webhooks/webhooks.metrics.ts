import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsRegistry } from '../platform/metrics/metrics-registry';

/**
 * What a recorded delivery attempt made of its delivery: `delivered` (a 2xx), `retrying` (another attempt is due), or
 * `failed` (the retry schedule is used up, or the endpoint answered 410 Gone).
 */
export const DELIVERY_RESULTS = ['delivered', 'retrying', 'failed'] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];

/** `webhook_deliveries_total{result}`, counted by the dispatcher once an attempt's outcome has committed. */
@Injectable()
export class WebhooksMetrics {
  private readonly deliveries: Counter<'result'>;

  constructor(metrics: MetricsRegistry) {
    this.deliveries = metrics.counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts by what they made of the delivery: delivered, retrying (another attempt due) or failed (given up)',
      labelNames: ['result'] as const,
    });
    // present from the start, so that rate() sees the first of each
    for (const result of DELIVERY_RESULTS) this.deliveries.inc({ result }, 0);
  }

  attempted(result: DeliveryResult): void {
    this.deliveries.inc({ result });
  }
}
