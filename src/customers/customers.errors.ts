import { defineErrors } from '../common/problem';

export const CustomerErrors = defineErrors({
  CUSTOMER_NOT_FOUND: [404, 'No such customer, or it was deleted'],
  EMAIL_TAKEN: [409, 'Another customer has this email (compared case-insensitively)'],
});
