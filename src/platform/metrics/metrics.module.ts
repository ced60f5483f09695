import { Global, Module } from '@nestjs/common';
import { DatabasePoolMetrics } from './database-pool';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics-registry';

/**
 * GET /metrics and the app's registry, which every domain declares its series with (`<domain>.metrics.ts`); the
 * database pool's series; the request durations are observed by a hook the app factory adds (recordRequestDurations).
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, DatabasePoolMetrics],
  exports: [MetricsRegistry],
})
export class MetricsModule {}
