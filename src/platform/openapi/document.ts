import { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  getSchemaPath,
  type HeaderObject,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { ADMIN_SCOPE, SCOPE_DESCRIPTIONS } from '../../auth/scopes';
import { ACTOR_MODELS, ACTOR_SCHEMA, ACTOR_SCHEMA_NAME } from '../../common/actor.dto';
import { CommonErrors } from '../../common/common.errors';
import { describeCodes, ProblemDto, problemResponse } from './api-problems.decorator';

export const API_KEY_SCHEME = 'api-key';
export const BEARER_SCHEME = 'bearer';
/** The operation's extension listing the scope an API key needs for it (set by the access decorators). */
export const REQUIRED_SCOPES_EXTENSION = 'x-required-scopes';
export const METRICS_TOKEN_SCHEME = 'metrics-token';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('ecommerce-api')
    .setDescription(
      'Order-and-stock core of an e-commerce backend. Errors are RFC 9457 problem details ' +
        '(`application/problem+json`) with a stable `code`; a URL with bad percent-encoding is `400 MALFORMED_URL` on every path. ' +
        'Money is a number with at most two decimals. ' +
        'Anonymous and customer-token callers are rate limited per client (`RateLimit-*` headers, 429 with `Retry-After`); ' +
        'callers with an API key are not.',
    )
    .setVersion('0.1.0')
    // relative: the server that serves this document, whichever environment (local, test, production) it is
    .addServer('/', 'This server: local, test or production, wherever this document is served from', undefined, { 'x-internal': false })
    .addTag('customers', 'The people who order; emails unique case-insensitively, deletes are soft')
    .addTag('accounts', "A customer's login: username and argon2id-hashed password, one per customer")
    .addTag('auth', 'Customer login: username and password for a Bearer token')
    .addTag('products', 'The catalogue; reads are public, writes need an API key')
    .addTag('inventory', 'Stock levels (with incoming and projected), the stock ledger, low stock (API key)')
    .addTag('replenishment', 'Replenishment orders to suppliers: automatic (the pass) or manual, received in parts, cancelled (API key)')
    .addTag('orders', 'Placing, reading, tracking, moving and cancelling orders; never oversells')
    .addTag('events', 'The event feed: every committed change, in commit order (API key)')
    .addTag('webhooks', 'Endpoints that receive every event as a signed POST (Standard Webhooks), their delivery log and retries (API key)')
    .addTag('health', 'Liveness and database state')
    .addTag('api-keys', "Internal services' named keys with scopes: issue, list, read, revoke (API key with `admin`)")
    .addTag('metrics', 'Prometheus metrics of this instance (API key or METRICS_TOKEN)')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description:
          'Key of an internal service or administrator: one of `API_KEYS` (every scope), or one issued by `POST /api-keys` ' +
          'with the scopes it was given. Each operation names the scope it needs (`x-required-scopes`); a key without it ' +
          `is refused with 403 \`INSUFFICIENT_SCOPE\`. Scopes: ${Object.entries(SCOPE_DESCRIPTIONS)
            .map(([scope, meaning]) => `\`${scope}\` (${meaning})`)
            .join('; ')}.`,
      },
      API_KEY_SCHEME,
    )
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'Customer token from POST /auth/login, handled as RFC8725 (JSON Web Token Best Current Practices) advises: the algorithm ' +
          'is pinned to HS256 (`none` and every other algorithm are refused), the signature and the expiry (`exp`) are ' +
          'verified, and the token type is checked, so no other kind of JWT is taken for a customer token.',
      },
      BEARER_SCHEME,
    )
    // not addBearerAuth, which would call the token a JWT: it is an opaque secret, compared in constant time
    .addSecurity(METRICS_TOKEN_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description: "METRICS_TOKEN, the Prometheus server's token for GET /metrics; it opens no other route",
    })
    .addGlobalResponse({
      status: 500,
      description: `Internal Server Error. \`code\`: \`${CommonErrors.INTERNAL_ERROR.code}\` (${CommonErrors.INTERNAL_ERROR.description}); nothing internal is sent`,
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
    })
    // every operation needs the database; while it is unreachable the answer is this 503, within 5 s
    .addGlobalResponse({
      status: 503,
      description: `Service Unavailable. \`code\`: \`${CommonErrors.DATABASE_UNAVAILABLE.code}\` (${CommonErrors.DATABASE_UNAVAILABLE.description})`,
      headers: {
        'Retry-After': {
          description: 'Seconds to wait before retrying',
          schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 3600 },
        },
      },
      content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: ACTOR_MODELS });
  // a union has no class to derive it from: the one Actor schema every actor field refers to
  document.components!.schemas![ACTOR_SCHEMA_NAME] = ACTOR_SCHEMA;
  closeRequestBodies(document);
  declareRequiredScopes(document);
  declareRateLimitHeaders(document);
  return document;
}

function operationsOf(document: OpenAPIObject): OperationObject[] {
  return Object.values(document.paths).flatMap((item) => HTTP_METHODS.flatMap((method) => (item[method] ? [item[method]] : [])));
}

/**
 * The validation pipe refuses unknown fields (400), so every schema a request body uses, nested ones
 * included, says `additionalProperties: false`. Nest's decorators cannot say it of a class.
 */
function closeRequestBodies(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const closed = new Set<SchemaObject>();
  const close = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (!schema) return;
    if ('$ref' in schema) return close(schemas[schema.$ref.slice(getSchemaPath('').length)]);
    if (closed.has(schema)) return;
    closed.add(schema);
    if (schema.type === 'object') schema.additionalProperties = false;
    for (const nested of [
      ...Object.values(schema.properties ?? {}),
      schema.items,
      ...(schema.allOf ?? []),
      ...(schema.oneOf ?? []),
      ...(schema.anyOf ?? []),
    ]) {
      close(nested);
    }
  };
  for (const { requestBody } of operationsOf(document)) {
    if (requestBody && 'content' in requestBody) Object.values(requestBody.content).forEach((media) => close(media.schema));
  }
}

/**
 * Words the scope an API key needs (`x-required-scopes`, from the access decorators) into each operation's
 * description, and lists 403 INSUFFICIENT_SCOPE beside any other 403 the route answers. Done on the document
 * because Nest keeps one response per status: a second @ApiResponse(403) would replace the route's own.
 */
function declareRequiredScopes(document: OpenAPIObject): void {
  const { INSUFFICIENT_SCOPE } = CommonErrors;
  for (const operation of operationsOf(document)) {
    const scopes = (operation as OperationObject & { [REQUIRED_SCOPES_EXTENSION]?: string[] })[REQUIRED_SCOPES_EXTENSION];
    if (!scopes) continue;
    const forCustomers = operation.security?.some((requirement) => BEARER_SCHEME in requirement);
    const sentence =
      `**API key scope:** ${scopes.map((scope) => `\`${scope}\``).join(', ')}${scopes.includes(ADMIN_SCOPE) ? '' : ' (or `admin`)'}` +
      (forCustomers ? '; customer tokens need no scope and reach only their own data.' : '.');
    operation.description = operation.description ? `${operation.description}\n\n${sentence}` : sentence;
    const forbidden = operation.responses['403'];
    // a copy: a response declared on a controller class is one object shared by its operations
    operation.responses['403'] =
      forbidden && !('$ref' in forbidden)
        ? { ...forbidden, description: `${forbidden.description}, ${describeCodes([INSUFFICIENT_SCOPE])}` }
        : problemResponse(403, [INSUFFICIENT_SCOPE]);
  }
}

const int32 = (minimum: number): SchemaObject => ({ type: 'integer', format: 'int32', minimum });

/** The headers RateLimitGuard (@nestjs/throttler with the IETF draft's names) sends to every caller it counts. */
const RATE_LIMIT_HEADERS: Record<string, HeaderObject> = {
  'RateLimit-Limit': { description: 'Requests one client may make in a window (RATE_LIMIT_PER_MINUTE a minute)', schema: int32(1) },
  'RateLimit-Remaining': { description: 'Requests this client has left in the current window', schema: int32(0) },
  'RateLimit-Reset': { description: 'Seconds until the current window ends', schema: int32(0) },
};

const retryAfter = (required: boolean): HeaderObject => ({
  description: 'Seconds to wait before trying again',
  required,
  schema: int32(1),
});

/**
 * Declares the rate-limit headers where they may be sent. RateLimitGuard counts every caller but one with a
 * valid API key and sends `RateLimit-*` to those it lets through: on routes open without a key (public, or a
 * customer token) that is any answer; on API-key routes, only the refusals of callers without a valid key
 * (401, 403). Every 429 carries `Retry-After` (the throttler's and the login limits' alike); a 503 may.
 */
function declareRateLimitHeaders(document: OpenAPIObject): void {
  document.components = { ...document.components, headers: { ...document.components?.headers, ...RATE_LIMIT_HEADERS } };
  const refs = Object.fromEntries(Object.keys(RATE_LIMIT_HEADERS).map((name) => [name, { $ref: `#/components/headers/${name}` }]));
  for (const operation of operationsOf(document)) {
    const openWithoutApiKey = !operation.security?.length || operation.security.some((requirement) => BEARER_SCHEME in requirement);
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!response || '$ref' in response) continue;
      const counted = openWithoutApiKey || ['401', '403'].includes(status);
      const headers = {
        ...(counted ? refs : {}),
        ...response.headers,
        ...(status === '429' ? { 'Retry-After': retryAfter(true) } : {}),
        ...(status === '503' ? { 'Retry-After': retryAfter(false) } : {}),
      };
      // a copy: Nest shares one object between operations for a global response (the 500)
      if (Object.keys(headers).length) operation.responses[status] = { ...response, headers };
    }
  }
}

/** Swagger UI at /docs and the document at /docs-json, both served from the app (no CDN). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'ecommerce-api',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
