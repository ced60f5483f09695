import { defineErrors } from '../common/problem';

export const ReplenishmentErrors = defineErrors({
  REPLENISHMENT_NOT_FOUND: [404, 'No such replenishment order'],
  RECEIPT_EXCEEDS_DUE: [409, 'More units than the order still has due; `errors` says how many are'],
  REPLENISHMENT_CANCELLED: [409, 'The order was cancelled: nothing can be received on it, and it cannot be cancelled again'],
  REPLENISHMENT_ALREADY_RECEIVED: [409, 'The order was received in full: nothing more can be received, and it can no longer be cancelled'],
});
