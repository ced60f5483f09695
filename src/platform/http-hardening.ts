import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';

export const BODY_LIMIT_BYTES = 1_048_576;

/** Security headers, CORS for the listed origins only, and JSON-only bodies. */
export async function hardenHttp(app: NestFastifyApplication, corsOrigins: string[]): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  // Helmet's headers, with its middleware built once: @fastify/helmet builds it again for every request (parsing
  // the CSP directives each time), for per-route options and CSP nonces that nothing here uses.
  const securityHeaders = helmet({
    // Swagger UI's own page needs inline styles and data: images; nothing else is served as HTML.
    // No upgrade-insecure-requests: the server speaks plain HTTP, and Swagger UI opened by address would break.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error)),
  );
  // browsers elsewhere get no CORS headers unless their origin is listed; never `*`, never credentials
  if (corsOrigins.length) app.enableCors({ origin: corsOrigins, credentials: false });
  // JSON only: any other body type is 415 rather than a string the validators then puzzle over
  fastify.removeContentTypeParser('text/plain');
}
