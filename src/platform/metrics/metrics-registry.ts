import { Injectable, Logger } from '@nestjs/common';
import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';
import { processMetrics } from './process-metrics';

/** How long a scrape waits for the reads that refresh its gauges (see beforeScrape) before it answers without them. */
export const REFRESH_TIMEOUT_MS = 1000;

type Config<C> = Omit<C, 'registers'>;

/**
 * The app's series in a prom-client registry of its own, never the library's global one: the e2e suites start several
 * apps in one process, and each counts only what it did. Domains declare their series through it
 * (`<domain>.metrics.ts`); GET /metrics serializes them with `scrape()`.
 */
@Injectable()
export class MetricsRegistry {
  private readonly logger = new Logger(MetricsRegistry.name);
  // a registry of this app's own that also holds the process's series
  private readonly registry = Registry.merge([processMetrics()]);
  private readonly refreshes: (() => Promise<void>)[] = [];

  counter<L extends string = never>(config: Config<CounterConfiguration<L>>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  gauge<L extends string = never>(config: Config<GaugeConfiguration<L>>): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
  }

  histogram<L extends string = never>(config: Config<HistogramConfiguration<L>>): Histogram<L> {
    return new Histogram({ ...config, registers: [this.registry] });
  }

  /**
   * Registers a read that sets gauges at scrape time from the database (the outbox backlog). The reads of a scrape run
   * side by side; one that fails is logged and one that takes longer than REFRESH_TIMEOUT_MS is not waited for, so a
   * scrape still answers while the database does not (or the pool has no connection to spare). A refresh removes its
   * gauges' values before it reads, so that a gauge whose read did not finish is absent from the scrape, not stale.
   * (What needs no waiting, such as the pool's use, is read by the gauge's own `collect`.)
   */
  beforeScrape(refresh: () => Promise<void>): void {
    this.refreshes.push(refresh);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every series in the Prometheus text format, gauges refreshed first. */
  async scrape(): Promise<string> {
    const refreshed = Promise.all(
      this.refreshes.map((refresh) => refresh().catch((error: Error) => this.logger.warn(`A metrics read failed: ${error.message}`))),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, REFRESH_TIMEOUT_MS)));
    await Promise.race([refreshed, timeout]);
    clearTimeout(timer);
    return this.registry.metrics();
  }
}
