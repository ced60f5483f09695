import { defineErrors } from '../common/problem';

export const AccountErrors = defineErrors({
  ACCOUNT_NOT_FOUND: [404, 'No such account'],
  USERNAME_TAKEN: [409, 'Another account has this username (compared case-insensitively)'],
  ACCOUNT_EXISTS: [409, 'The customer already has an account'],
});
