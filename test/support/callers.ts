import type { Actor } from '../../src/common/actor';
import type { TestApp } from './app';
import { createApiKey } from './factories';

/** Who sends a request: the headers that say so, and the actor the audit trail must then name. */
export interface Caller {
  headers: Record<string, string>;
  actor: Actor;
}

/**
 * The internal service of a scripted suite: a key of its own, issued by POST /api-keys with the scopes a
 * fulfilment service needs, which the audit trail names `{type: 'api_key', id, name}`.
 */
export async function serviceCaller(t: TestApp): Promise<Caller> {
  const key = await createApiKey(t.http, ['orders:read', 'orders:write', 'inventory:read', 'inventory:write']);
  return { headers: { 'X-API-Key': key.key }, actor: { type: 'api_key', id: key.id, name: key.name } };
}

/** A logged-in customer acting on their own orders. */
export function customerCaller(customerId: number, token: string): Caller {
  return { headers: { Authorization: `Bearer ${token}` }, actor: { type: 'customer', id: customerId } };
}
