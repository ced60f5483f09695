/**
 * Who made a change, as the audit trail records it on events, stock movements and order status changes:
 * an API key (by id and name; `id` is null for a key from `API_KEYS`), a customer acting on their own
 * data, or the system (a scheduled job, by name).
 */
export type Actor =
  { type: 'api_key'; id: number | null; name: string } | { type: 'customer'; id: number } | { type: 'system'; name: string };

export const systemActor = (name: string): Actor => ({ type: 'system', name });
