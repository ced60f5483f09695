import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

export const API_KEY_SCHEME = 'api-key';
export const BEARER_SCHEME = 'bearer';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('ecommerce-api')
    .setDescription(
      'Order-and-stock core of an e-commerce backend. Errors are RFC 9457 problem details ' +
        '(`application/problem+json`) with a stable `code`. Money is a number with at most two decimals.',
    )
    .setVersion('0.1.0')
    .addTag('customers', 'The people who order; emails unique case-insensitively, deletes are soft')
    .addTag('accounts', 'A customer\'s login: username and argon2id-hashed password, one per customer')
    .addTag('auth', 'Customer login: username and password for a Bearer token')
    .addTag('products', 'The catalogue; reads are public, writes need an API key')
    .addTag('inventory', 'Stock levels, the stock ledger, low stock and restocking (API key)')
    .addTag('orders', 'Placing, reading, tracking, moving and cancelling orders; never oversells')
    .addTag('events', 'The event feed: every committed change, in commit order (API key)')
    .addTag('webhooks', 'Endpoints that receive every event as a signed POST (Standard Webhooks), their delivery log and retries (API key)')
    .addTag('health', 'Liveness and database state')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Key of an internal service or administrator' }, API_KEY_SCHEME)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Customer token from POST /auth/login' }, BEARER_SCHEME)
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /docs and the document at /docs-json, both served from the app (no CDN). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'ecommerce-api',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
