import type { ValueTransformer } from 'typeorm';

/**
 * Who made a change, as the audit trail records it on events, stock movements and order status changes:
 * an API key (by id and name; `id` is null for a key from `API_KEYS`), a customer acting on their own
 * data, or the system (a scheduled job, by name).
 */
export type Actor =
  { type: 'api_key'; id: number | null; name: string } | { type: 'customer'; id: number } | { type: 'system'; name: string };

export const systemActor = (name: string): Actor => ({ type: 'system', name });

/**
 * What work is recorded as when nothing says who it is for: neither a request nor a scheduled job (a script,
 * a test calling a service). Named, never null, so that such rows stand out instead of looking like old ones.
 */
export const UNATTRIBUTED: Actor = systemActor('unattributed');

/**
 * An actor column: JSON text (as `events.actor`), so the three shapes fit one nullable column on both engines.
 * NULL is a row written before the audit trail existed.
 */
export const actorJson: ValueTransformer = {
  to: (actor: Actor | null | undefined) => (actor ? JSON.stringify(actor) : actor),
  from: (json: string | null) => (json ? (JSON.parse(json) as Actor) : null),
};
