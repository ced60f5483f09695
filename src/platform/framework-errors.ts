import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';

/** What Fastify's router refused a request for, and the URL the request was sent to. */
export interface RefusedByRouter {
  error: FastifyError;
  url: string;
}

const refused = new WeakMap<IncomingMessage, RefusedByRouter>();

/** No route serves this path: a refused request routed here reaches the not-found handler. */
const UNROUTED_PATH = '/.refused-by-router';

/**
 * Fastify's `frameworkErrors`. The router refuses a URL with bad percent-encoding (`/products/%E0%A4%A`), or a
 * path parameter over 100 characters, before any hook runs, so an answer written here would lack the headers
 * every other answer carries (helmet's, X-Request-Id, CORS: whatever hooks the app adds). Instead the request is routed again,
 * to a path no route serves: it passes every hook on its way to the not-found handler, and the problem filter
 * answers for the error the router raised (see refusedByRouter).
 */
export function rerouteFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  refused.set(request.raw, { error, url: request.raw.url ?? '' });
  request.raw.url = UNROUTED_PATH;
  request.server.routing(request.raw, reply.raw);
}

/** Set when the router refused the request before routing it (rerouteFrameworkError). */
export const refusedByRouter = (request: FastifyRequest): RefusedByRouter | undefined => refused.get(request.raw);
