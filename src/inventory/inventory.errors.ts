import { defineErrors } from '../common/problem';

export const InventoryErrors = defineErrors({
  INVALID_STOCK_UPDATE: [400, 'Send quantity or adjustment (not both), or a reorder setting'],
  STOCK_BELOW_ZERO: [409, 'The change would take stock below 0'],
});
