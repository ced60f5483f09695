import { defineErrors } from '../common/problem';

export const OrderErrors = defineErrors({
  LINE_QUANTITY_TOO_LARGE: [400, 'More units of one product than an order may hold'],
  ORDER_NOT_FOUND: [404, 'No such order (or not yours)'],
  INSUFFICIENT_STOCK: [409, 'Not enough stock for one or more products; `errors` names them'],
  INVALID_STATUS_TRANSITION: [409, 'The order cannot move from its current status to the one asked for'],
});
