import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MetricsRegistry } from './metrics-registry';

/** The `route` of a request no route served (404s, malformed URLs): one value, whatever path was asked for. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * `http_request_duration_seconds{method, route, status}`, observed when each answer has been sent. `route` is the
 * pattern (`/orders/:id`), never the URL, so the number of series stays bounded whatever clients send. On the hot
 * path: one small labels object per request and no other work; call before the app initializes.
 */
export function recordRequestDurations(app: NestFastifyApplication): void {
  const durations = app.get(MetricsRegistry).histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to having sent its answer, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      durations.observe(
        { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status: reply.statusCode },
        reply.elapsedTime / 1000,
      );
      done();
    });
}
