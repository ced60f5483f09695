import SwaggerParser from '@apidevtools/swagger-parser';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_ID } from '../src/common/limits';
import { registeredRoutes } from './support/routes';
import { startApp, TestApp } from './support/app';

const COMMITTED_DOCUMENT = join(__dirname, '..', 'postman', 'openapi.json');
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  /** `get /customers/{id}` */
  route: string;
  operation: OperationObject;
}

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries<PathItemObject>(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method]).map((method) => ({ route: `${method} ${path}`, operation: item[method]! })),
  );
}

/** The schema a `$ref` names (the document's own references only). */
function resolve<T extends object>(document: OpenAPIObject, value: T | ReferenceObject): T {
  if (!('$ref' in value)) return value;
  const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(value.$ref)!;
  return (document.components as Record<string, Record<string, T>>)[section][name];
}

/** Fastify's `/customers/:id` as OpenAPI writes it, `/customers/{id}`. */
const toOpenApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let operations: Operation[];

  beforeAll(async () => {
    t = await startApp();
    document = (await t.http.get('/docs-json').expect(200)).body;
    operations = operationsOf(document);
  });
  afterAll(() => t.close());

  it('is the committed postman/openapi.json', () => {
    try {
      expect(document).toEqual(JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8')));
    } catch (error) {
      (error as Error).message =
        `postman/openapi.json differs from /docs-json: run \`npm run openapi\` and commit the result.\n\n${(error as Error).message}`;
      throw error;
    }
  });

  it('documents every route the server serves', () => {
    const documented = new Set(operations.map((o) => o.route));
    const served = registeredRoutes(t.app).map(({ method, url }) => `${method.toLowerCase()} ${toOpenApiPath(url)}`);
    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('documents no operation the server does not serve', () => {
    const served = new Set(registeredRoutes(t.app).map(({ method, url }) => `${method.toLowerCase()} ${toOpenApiPath(url)}`));
    expect(operations.map((o) => o.route).filter((route) => !served.has(route))).toEqual([]);
  });

  it('is a valid OpenAPI document', async () => {
    // validate() dereferences in place; the copy keeps the other tests on the document as served.
    // Nest's and the validator's OpenAPI typings differ in details that do not matter for a JSON document.
    const copy = structuredClone(document) as unknown as Parameters<typeof SwaggerParser.validate>[0];
    await expect(SwaggerParser.validate(copy)).resolves.toBeDefined();
  });

  it('gives every operation a summary and a tag', () => {
    const undescribed = operations.filter(({ operation }) => !operation.summary?.trim() || !operation.tags?.length);
    expect(undescribed.map((o) => o.route)).toEqual([]);
  });

  it('documents every 4xx answer as application/problem+json', () => {
    const clientErrors = operations.flatMap(({ route, operation }) =>
      Object.entries(operation.responses)
        .filter(([status]) => /^4\d\d$/.test(status))
        .map(([status, response]) => ({ route, status, types: Object.keys((response as ResponseObject).content ?? {}) })),
    );
    expect(clientErrors.length).toBeGreaterThan(0);
    expect(clientErrors.filter((e) => e.types.join() !== 'application/problem+json')).toEqual([]);
  });

  it('documents a client error for every operation', () => {
    // every operation can be called wrongly, or too often (even the public health check answers 429)
    const withoutClientError = operations
      .filter(({ operation }) => !Object.keys(operation.responses).some((status) => /^4\d\d$/.test(status)))
      .map((o) => o.route);
    expect(withoutClientError).toEqual([]);
  });

  it('documents 503 DATABASE_UNAVAILABLE, as problem+json, on every operation (each needs the database)', () => {
    const undocumented = operations.filter(({ operation }) => {
      const response = operation.responses['503'] as ResponseObject | undefined;
      return (
        !response?.description.includes('`DATABASE_UNAVAILABLE`') ||
        Object.keys(response.content ?? {}).join() !== 'application/problem+json'
      );
    });
    expect(undocumented.map((o) => o.route)).toEqual([]);
  });

  it('documents 401 on every operation that needs credentials', () => {
    const secured = operations.filter(({ operation }) => operation.security?.length);
    expect(secured.length).toBeGreaterThan(0);
    expect(secured.filter(({ operation }) => !operation.responses['401']).map((o) => o.route)).toEqual([]);
  });
  it('types the nullable strings of request bodies as strings, so that clients send text and not {}', () => {
    const property = (schema: string, name: string) => (document.components!.schemas![schema] as SchemaObject).properties![name];
    for (const schema of ['CreateCustomerDto', 'UpdateCustomerDto']) {
      expect(property(schema, 'phone_number')).toMatchObject({ type: 'string', nullable: true, maxLength: 32 });
    }
    for (const schema of ['CreateProductDto', 'UpdateProductDto']) {
      expect(property(schema, 'description')).toMatchObject({ type: 'string', nullable: true, maxLength: 5000 });
    }
  });

  it('documents every path id as ParseIdPipe checks it: an integer from 1 to MAX_ID', () => {
    const pathParameters = operations.flatMap(({ route, operation }) =>
      (operation.parameters ?? [])
        .map((p) => resolve<ParameterObject>(document, p))
        .filter((p) => p.in === 'path')
        .map((p) => ({ route, name: p.name, schema: p.schema })),
    );
    expect(pathParameters.length).toBeGreaterThanOrEqual(17);
    for (const parameter of pathParameters) {
      expect(parameter).toEqual({
        route: parameter.route,
        name: parameter.name,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: MAX_ID }),
      });
    }
  });

  it('closes every request body: unknown fields are refused (400), nested objects included', () => {
    const open: string[] = [];
    const check = (where: string, value: SchemaObject | ReferenceObject | undefined): void => {
      if (!value) return;
      const schema = resolve<SchemaObject>(document, value);
      if (schema.type === 'object' && schema.additionalProperties !== false) open.push(where);
      for (const [name, nested] of Object.entries(schema.properties ?? {})) check(`${where}.${name}`, nested);
      check(`${where}[]`, schema.items);
    };
    const withBody = operations.filter(({ operation }) => operation.requestBody);
    expect(withBody.length).toBeGreaterThan(0);
    for (const { route, operation } of withBody) {
      for (const media of Object.values(resolve(document, operation.requestBody!).content)) check(route, media.schema);
    }
    expect(open).toEqual([]);
  });

  it('marks the body of POST /orders/{id}/cancel optional', () => {
    expect(document.paths['/orders/{id}/cancel'].post!.requestBody).toMatchObject({ required: false });
  });

  it('declares Retry-After on every 429, and documents a 429 on every operation', () => {
    const rateLimited = operations.map(({ route, operation }) => ({
      route,
      response: operation.responses['429'] as ResponseObject | undefined,
    }));
    expect(rateLimited.filter(({ response }) => !response).map((r) => r.route)).toEqual([]);
    for (const { route, response } of rateLimited) {
      expect({ route, retryAfter: response!.headers?.['Retry-After'] }).toEqual({
        route,
        retryAfter: expect.objectContaining({ required: true }),
      });
    }
  });

  it('declares the RateLimit headers on every answer of the routes open without an API key', () => {
    // RateLimitGuard counts every caller but one with a valid API key
    const open = operations.filter(
      ({ operation }) => !operation.security?.length || operation.security.some((requirement) => 'bearer' in requirement),
    );
    expect(open.map((o) => o.route)).toEqual(expect.arrayContaining(['get /products', 'post /auth/login', 'post /orders']));
    const missing = open.flatMap(({ route, operation }) =>
      Object.entries(operation.responses)
        .filter(([, response]) =>
          ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'].some((name) => !(response as ResponseObject).headers?.[name]),
        )
        .map(([status]) => `${route} ${status}`),
    );
    expect(missing).toEqual([]);
    expect(resolve<HeaderObject>(document, { $ref: '#/components/headers/RateLimit-Remaining' }).schema).toMatchObject({ type: 'integer' });
  });
});
