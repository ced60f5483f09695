import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIObject, OperationObject, PathItemObject, ResponseObject } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
      (error as Error).message = `postman/openapi.json differs from /docs-json: run \`npm run openapi\` and commit the result.\n\n${(error as Error).message}`;
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

  it('documents 401 on every operation that needs credentials', () => {
    const secured = operations.filter(({ operation }) => operation.security?.length);
    expect(secured.length).toBeGreaterThan(0);
    expect(secured.filter(({ operation }) => !operation.responses['401']).map((o) => o.route)).toEqual([]);
  });
});
