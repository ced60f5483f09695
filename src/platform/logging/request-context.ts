import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Binds the request id to everything the request does from here on (log lines, events). */
export function enterRequest(requestId: string): void {
  storage.enterWith({ requestId });
}

/** The id of the request being handled, if any (scheduled work has none). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

const SANE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** `X-Request-Id` as sent when it is 1–128 visible ASCII characters, a new UUID otherwise. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}
