import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { AuthenticatedRequest, Principal } from '../../auth/access';
import { enterRequest } from '../request-context';

/**
 * One JSON line per request (method, route pattern, status, duration, caller, request id), never bodies,
 * headers or credentials; and the request id echoed as `X-Request-Id` on every answer, errors included.
 */
export function logRequests(app: NestFastifyApplication, logger: Logger): void {
  const fastify = app.getHttpAdapter().getInstance();
  // The request line is made here of known fields only (no body, header or credential can be in it), so it skips
  // the redaction every other line goes through, which cost three times the rest of writing the line.
  const requestLog = logger.child({}, { redact: [] });
  // not async: the request id must be bound in the synchronous frame the rest of the request continues from
  fastify.addHook('onRequest', (request, _reply, done) => {
    enterRequest(request.id);
    done();
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Request-Id', request.id);
    return payload;
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
