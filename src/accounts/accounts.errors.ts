import { defineErrors } from '../common/problem';

export const AccountErrors = defineErrors({
  ACCOUNT_NOT_FOUND: [404, 'No such account'],
  USERNAME_TAKEN: [409, 'Another account has this username (compared case-insensitively)'],
  ACCOUNT_EXISTS: [409, 'The customer already has an account'],
  CURRENT_PASSWORD_REQUIRED: [400, 'A customer changing its own password must send current_password'],
  CURRENT_PASSWORD_INCORRECT: [403, "current_password is not the account's password"],
});
