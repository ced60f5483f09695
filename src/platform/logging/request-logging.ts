import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { AuthenticatedRequest, Principal } from '../../auth/access';
import { enterRequest } from '../request-context';

/**
 * One JSON line per request (method, route pattern, status, duration, caller, request id), never bodies,
 * headers or credentials; and the request id echoed as `X-Request-Id` on every answer, errors included.
 */
export function logRequests(app: NestFastifyApplication, requestLog: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  // not async: the request id must be bound in the synchronous frame the rest of the request continues from
  fastify.addHook('onRequest', (request, reply, done) => {
    enterRequest(request.id);
    // set before anything answers, so that every answer carries it, errors included
    reply.header('X-Request-Id', request.id);
    done();
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const principal = (request as AuthenticatedRequest).principal;
    requestLog.info(
      {
        request_id: request.id,
        method: request.method,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        caller: principal ? callerOf(principal) : null,
      },
      'request',
    );
  });
}

/** Who made the request, by name and id, never by credential: `{customer_id}`, `{api_key, api_key_id}` (null for API_KEYS) or `{metrics_token: true}`. */
function callerOf(principal: Principal): Record<string, unknown> {
  if (principal.kind === 'customer') return { customer_id: principal.customerId };
  return principal.kind === 'metrics-token' ? { metrics_token: true } : { api_key: principal.apiKey.name, api_key_id: principal.apiKey.id };
}
