import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../common/actor';

/**
 * What the work in progress was started by: the request (its id, for log lines and events) and the actor
 * the guard authenticated (for the audit trail). Scheduled work runs with a system actor and no request id.
 */
interface RequestContext {
  requestId?: string;
  actor?: Actor;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Binds a new request to everything it does from here on (log lines, events). */
export function enterRequest(requestId: string): void {
  storage.enterWith({ requestId });
}

/** The id of the request being handled, if any (scheduled work has none). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Records who the current request acts for, once the guard has authenticated it. */
export function actAs(actor: Actor): void {
  const context = storage.getStore();
  if (context) context.actor = actor;
}

/** The actor of the work in progress: the authenticated caller, or the system job running it. */
export function currentActor(): Actor | undefined {
  return storage.getStore()?.actor;
}

/** Runs work outside any request (a scheduled job) as the given actor. */
export function runAs<T>(actor: Actor, work: () => Promise<T>): Promise<T> {
  return storage.run({ actor }, work);
}

const SANE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** `X-Request-Id` as sent when it is 1–128 visible ASCII characters, a new UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}
