import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registeredRoutes, type RegisteredRoute } from './support/routes';
import { startApp, TestApp } from './support/app';

/**
 * The Postman collection covers the router: every route the server serves has at least one request, every request
 * goes to a route the server serves, and every request tests its answer. A route added to the server without a
 * request in postman/ecommerce-api.postman_collection.json fails here.
 */
const COLLECTION = join(__dirname, '..', 'postman', 'ecommerce-api.postman_collection.json');

/** Requests sent on purpose to a path no route serves (folder and request name, exactly). */
const DELIBERATELY_UNROUTED = [{ folder: 'Errors', name: 'Unknown route' }];

interface PostmanUrl {
  raw: string;
  host?: string[];
  path?: string[];
}

interface PostmanItem {
  name: string;
  item?: PostmanItem[];
  request?: { method: string; url: string | PostmanUrl };
  event?: { listen: string; script?: { exec?: string | string[] } }[];
}

interface CollectedRequest {
  folder: string;
  name: string;
  method: string;
  url: PostmanUrl;
  /** Path segments as newman sends them: `['orders', '{{orderId}}', 'track']`. */
  segments: string[];
  tests: string;
}

/** Every request of the collection, depth first, in run order, with the top-level folder it belongs to. */
function requestsOf(items: PostmanItem[], folder = ''): CollectedRequest[] {
  return items.flatMap((item) => {
    if (item.item) return requestsOf(item.item, folder || item.name);
    const { method, url } = item.request!;
    const parsed: PostmanUrl = typeof url === 'string' ? { raw: url } : url;
    return [
      {
        folder,
        name: item.name,
        method: method.toUpperCase(),
        url: parsed,
        segments: segmentsOf(parsed),
        tests: [item.event?.find((e) => e.listen === 'test')?.script?.exec ?? []].flat().join('\n'),
      },
    ];
  });
}

/** newman builds the URL from `path` when the collection gives one, from `raw` otherwise. */
function segmentsOf(url: PostmanUrl): string[] {
  if (url.path) return url.path;
  return url.raw
    .replace(/^\{\{baseUrl\}\}/, '')
    .split('?')[0]
    .split('/')
    .filter(Boolean);
}

const routeName = (route: RegisteredRoute) => `${route.method} ${route.url}`;
const requestName = (request: CollectedRequest) => `${request.folder} / ${request.name}: ${request.method} /${request.segments.join('/')}`;

/**
 * Whether a route serves the request's path: a `:param` segment takes any one segment (a concrete id such as
 * `999999999` or `abc`, or a variable such as `{{orderId}}`), any other segment must be the same word.
 */
function serves(route: RegisteredRoute, request: CollectedRequest): boolean {
  const segments = route.url.split('/').filter(Boolean);
  return (
    route.method === request.method &&
    segments.length === request.segments.length &&
    segments.every((segment, i) => segment.startsWith(':') || segment === request.segments[i])
  );
}

/** Static segments win over parameters, position by position, as in Fastify's router. */
function moreSpecific(a: RegisteredRoute, b: RegisteredRoute): number {
  const shape = (route: RegisteredRoute) =>
    route.url
      .split('/')
      .filter(Boolean)
      .map((s) => (s.startsWith(':') ? 1 : 0));
  const [x, y] = [shape(a), shape(b)];
  const differ = x.findIndex((v, i) => v !== y[i]);
  return differ === -1 ? 0 : x[differ] - y[differ];
}

/** The route that answers the request, or undefined when none serves its path. */
function routeFor(routes: RegisteredRoute[], request: CollectedRequest): RegisteredRoute | undefined {
  return routes.filter((route) => serves(route, request)).sort(moreSpecific)[0];
}

function uncovered(routes: RegisteredRoute[], requests: CollectedRequest[]): string[] {
  const exercised = new Set(
    requests
      .map((r) => routeFor(routes, r))
      .filter(Boolean)
      .map((r) => routeName(r!)),
  );
  return routes.map(routeName).filter((name) => !exercised.has(name));
}

const isDeliberatelyUnrouted = (request: CollectedRequest) =>
  DELIBERATELY_UNROUTED.some(({ folder, name }) => request.folder === folder && request.name === name);

describe('Postman collection (e2e)', () => {
  let t: TestApp;
  let routes: RegisteredRoute[];
  const requests = requestsOf(JSON.parse(readFileSync(COLLECTION, 'utf8')).item);

  beforeAll(async () => {
    t = await startApp();
    routes = registeredRoutes(t.app);
  });
  afterAll(() => t.close());

  it('has requests, and the deliberately unrouted ones each exist once', () => {
    expect(routes.length).toBeGreaterThan(0);
    expect(requests.length).toBeGreaterThan(routes.length);
    for (const { folder, name } of DELIBERATELY_UNROUTED) {
      expect(requests.filter((r) => r.folder === folder && r.name === name).map(requestName)).toHaveLength(1);
    }
  });

  it('sends every request to {{baseUrl}}, with a raw URL that says the same as its host and path', () => {
    const mismatched = requests
      .filter(({ url, segments }) => {
        const host = url.host ?? ['{{baseUrl}}'];
        return host.join('.') !== '{{baseUrl}}' || url.raw.split('?')[0] !== `{{baseUrl}}/${segments.join('/')}`;
      })
      .map((r) => `${requestName(r)} (raw ${r.url.raw})`);
    expect(mismatched).toEqual([]);
  });

  it('exercises every route the server serves', () => {
    expect(uncovered(routes, requests)).toEqual([]);
  });

  it('sends no request to a path the server does not serve, except the deliberate ones', () => {
    expect(requests.filter((r) => !isDeliberatelyUnrouted(r) && !routeFor(routes, r)).map(requestName)).toEqual([]);
    // a deliberately unrouted request that some route serves would no longer test an unknown route
    expect(requests.filter((r) => isDeliberatelyUnrouted(r) && routeFor(routes, r)).map(requestName)).toEqual([]);
  });

  it('tests the answer of every request with at least one pm.test', () => {
    expect(requests.filter((r) => !/\bpm\.test\(/.test(r.tests)).map(requestName)).toEqual([]);
  });

  describe('the matching itself', () => {
    const request = (method: string, path: string) => ({ method, segments: path.split('/').filter(Boolean) }) as CollectedRequest;

    it('reports a route the collection has no request for', () => {
      const added = { method: 'DELETE', url: '/orders/:id' };
      expect(uncovered([...routes, added], requests)).toEqual(['DELETE /orders/:id']);
    });

    it('matches ids and variables to parameters, and static segments before parameters', () => {
      const fixture: RegisteredRoute[] = [
        { method: 'GET', url: '/orders/:id' },
        { method: 'GET', url: '/orders/:id/track' },
        { method: 'GET', url: '/orders/:customer_id/history' },
        { method: 'GET', url: '/items/:id' },
        { method: 'GET', url: '/items/low-stock' },
      ];
      const answer = (method: string, path: string) => routeFor(fixture, request(method, path))?.url;
      expect(answer('GET', '/orders/{{orderId}}/track')).toBe('/orders/:id/track');
      expect(answer('GET', '/orders/{{customerId}}/history')).toBe('/orders/:customer_id/history');
      expect(answer('GET', '/orders/999999999')).toBe('/orders/:id');
      expect(answer('GET', '/items/low-stock')).toBe('/items/low-stock');
      expect(answer('GET', '/items/7')).toBe('/items/:id');
      expect(answer('POST', '/orders/1')).toBeUndefined();
      expect(answer('GET', '/orders/1/track/extra')).toBeUndefined();
      expect(answer('GET', '/no-such-route')).toBeUndefined();
    });
  });
});
