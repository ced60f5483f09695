import type { Actor } from '../../src/common/actor';
import { ENV_KEY_ACTOR, TEST_API_KEY, type TestApp } from './app';

/** Who sends a request: the headers that say so, and the actor the audit trail must then name. */
export interface Caller {
  headers: Record<string, string>;
  actor: Actor;
}

/**
 * The internal service of a scripted suite. Today the only keys are those of API_KEYS, which the audit trail
 * names `{type: 'api_key', id: null, name: 'API_KEYS'}`; once keys are stored and named (POST /api-keys), this
 * creates one for the service and returns its header and `{type: 'api_key', id, name}` — the suites stay as they are.
 */
export async function serviceCaller(_t: TestApp): Promise<Caller> {
  return { headers: { 'X-API-Key': TEST_API_KEY }, actor: ENV_KEY_ACTOR };
}

/** A logged-in customer acting on their own orders. */
export function customerCaller(customerId: number, token: string): Caller {
  return { headers: { Authorization: `Bearer ${token}` }, actor: { type: 'customer', id: customerId } };
}
