import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { MetricsReader } from '../../auth/access';
import { MetricsRegistry } from './metrics-registry';

const EXAMPLE = [
  '# HELP orders_placed_total Orders placed (counted once committed)',
  '# TYPE orders_placed_total counter',
  'orders_placed_total 42',
  '',
  '# HELP http_request_duration_seconds Time from receiving a request to having sent its answer, by method, route pattern and status',
  '# TYPE http_request_duration_seconds histogram',
  'http_request_duration_seconds_bucket{le="0.005",method="POST",route="/orders",status="201"} 12',
  '…',
].join('\n');

@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metricsRegistry: MetricsRegistry) {}

  @Get()
  @MetricsReader()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Every series of this instance in the Prometheus text format 0.0.4: request durations by route and status, database pool ' +
      'use, orders placed and refused, restock passes and replenishments, the outbox backlog and its age, webhook deliveries by ' +
      'result, and the process (memory, CPU, event loop, GC). For an API key, or METRICS_TOKEN as a Bearer token (not rate ' +
      'limited). The README lists the series.',
  })
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOkResponse({
    description: 'The metrics',
    content: { [Registry.PROMETHEUS_CONTENT_TYPE]: { schema: { type: 'string', example: EXAMPLE } } },
  })
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metricsRegistry.scrape();
  }
}
