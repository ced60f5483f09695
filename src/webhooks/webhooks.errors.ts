import { defineErrors } from '../common/problem';

export const WebhookErrors = defineErrors({
  WEBHOOK_NOT_FOUND: [404, 'No such webhook endpoint'],
  WEBHOOK_DELIVERY_NOT_FOUND: [404, 'No such delivery for this webhook endpoint'],
  WEBHOOK_URL_NOT_ALLOWED: [
    400,
    'The URL points at a loopback or link-local address, refused in production unless WEBHOOK_ALLOW_LOOPBACK=true',
  ],
  WEBHOOK_DISABLED: [409, 'The endpoint is disabled; enable it (PUT enabled: true) before retrying its deliveries'],
  WEBHOOK_DELIVERY_IN_PROGRESS: [409, 'The delivery is being sent right now; retry once this attempt has ended'],
});
