import { defineErrors } from '../common/problem';

export const IdempotencyErrors = defineErrors({
  INVALID_IDEMPOTENCY_KEY: [400, 'Idempotency-Key must be 1 to 255 printable ASCII characters'],
  IDEMPOTENCY_REQUEST_IN_PROGRESS: [409, 'A request with the same Idempotency-Key is still running'],
  IDEMPOTENCY_KEY_REUSED: [422, 'The Idempotency-Key was used with a different request'],
});
