import type { Actor } from '../common/actor';

/** The events other services may react to (see README "Events"); one name per kind of change. */
export const EVENT_TYPES = [
  'order.created',
  'order.status_changed',
  'order.cancelled',
  'stock.changed',
  'stock.low',
  'product.created',
  'product.updated',
  'product.deleted',
  'customer.created',
  'customer.updated',
  'customer.deleted',
  'replenishment.created',
  'replenishment.received',
  'replenishment.cancelled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type { Actor } from '../common/actor';

/** An event as a service publishes it inside its transaction; the outbox gives it an id and a time. */
export interface NewEvent {
  type: EventType;
  subject: { type: 'order' | 'product' | 'customer' | 'replenishment'; id: number };
  /** The resource as GET shows it after the change, plus what the type names. */
  data: object;
  actor?: Actor;
}
