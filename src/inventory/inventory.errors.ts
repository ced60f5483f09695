import { MAX_STOCK } from '../common/limits';
import { defineErrors } from '../common/problem';

export const InventoryErrors = defineErrors({
  INVALID_STOCK_UPDATE: [400, 'Send quantity or adjustment (not both), or a reorder setting'],
  STOCK_BELOW_ZERO: [409, 'The change would take stock below 0'],
  STOCK_ABOVE_MAXIMUM: [409, `The change would take stock above ${MAX_STOCK} units (MAX_STOCK)`],
});
