import { defineErrors } from '../common/problem';

export const AuthErrors = defineErrors({
  INVALID_CREDENTIALS: [401, 'Unknown username or wrong password (one answer for both)'],
});
