import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks: symmetric secrets are shown as `whsec_` + base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** A new endpoint secret: 256 random bits, as long as HMAC-SHA256's output. */
export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/**
 * `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the base64-decoded part of the secret
 * after `whsec_` (Standard Webhooks, symmetric scheme).
 */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/**
 * The headers of one attempt: the event id (the same on every retry), this attempt's time, its signature; and
 * `x-request-id`, the request that made the change, when a request did (outside the signature, as Standard
 * Webhooks signs only id, timestamp and body; the body's `request_id` is the signed copy).
 */
export function deliveryHeaders(
  secret: string,
  eventId: string,
  body: string,
  requestId: string | null = null,
  now = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'ecommerce-api-webhooks',
    'webhook-id': eventId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': sign(secret, eventId, timestamp, body),
    ...(requestId !== null && { 'x-request-id': requestId }),
  };
}
