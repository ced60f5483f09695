import { defineErrors } from '../common/problem';

export const ProductErrors = defineErrors({
  PRODUCT_NOT_FOUND: [404, 'No such product, or it was deleted'],
});
