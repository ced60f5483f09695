import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

type Schemas = components['schemas'];

/** Every error the server answers: RFC 9457 problem details with a stable `code` (`application/problem+json`). */
export type Problem = Schemas['ProblemDto'];
export type Customer = Schemas['CustomerResponseDto'];
export type Account = Schemas['AccountResponseDto'];
export type Product = Schemas['ProductResponseDto'];
export type Stock = Schemas['StockResponseDto'];
export type StockMovement = Schemas['StockMovementDto'];
export type Order = Schemas['OrderResponseDto'];
export type OrderItem = Schemas['OrderItemResponseDto'];
export type OrderStatus = Order['status'];
export type Tracking = Schemas['TrackingResponseDto'];
export type Replenishment = Schemas['ReplenishmentResponseDto'];
export type Webhook = Schemas['WebhookResponseDto'];
/** One event of the feed (`GET /events`), a union discriminated by `type`. */
export type Event = Schemas['EventFeedPageDto']['items'][number];

export type EcommerceClient = Client<paths>;

export interface EcommerceClientOptions {
  /** Where the API is served, e.g. `https://shop.example.com` (the paths are appended to it). */
  baseUrl: string;
  /** `X-API-Key` of an internal service or administrator. */
  apiKey?: string;
  /** A customer's `access_token` from `POST /auth/login`, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The fetch to send requests with (a proxy, retries, tests); `globalThis.fetch` by default. */
  fetch?: (request: Request) => Promise<Response>;
}

/**
 * A client for every operation of the API, typed from its OpenAPI document: paths, parameters, bodies and answers
 * (`data` for a 2xx, `error` for a problem) are checked at compile time. Without `apiKey` or `token` it reaches only
 * the public routes (products, health, login).
 */
export function createEcommerceClient({ baseUrl, apiKey, token, fetch }: EcommerceClientOptions): EcommerceClient {
  // the server serves an API key first and ignores a token beside it, so a client with both would not act as it reads
  if (apiKey !== undefined && token !== undefined) {
    throw new TypeError('createEcommerceClient: pass apiKey or token, not both (the server would act for the API key alone)');
  }
  const headers: Record<string, string> = {};
  if (apiKey !== undefined) headers['X-API-Key'] = apiKey;
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  return createClient<paths>({ baseUrl, headers, ...(fetch && { fetch }) });
}
