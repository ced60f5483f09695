import { CommonErrors } from '../common/common.errors';
import { defineErrors, type ErrorCode } from '../common/problem';
import { MAX_ATTEMPTS_PER_CLIENT, MAX_ATTEMPTS_PER_USERNAME } from './login-attempts';

export const AuthErrors = defineErrors({
  INVALID_CREDENTIALS: [401, 'Unknown username or wrong password (one answer for both)'],
});

/** The login limits answer the common RATE_LIMITED code; documented on the login route with their own meaning. */
export const LOGIN_RATE_LIMITED: ErrorCode = {
  ...CommonErrors.RATE_LIMITED,
  description: `Too many login attempts: more than ${MAX_ATTEMPTS_PER_USERNAME} for one username or ${MAX_ATTEMPTS_PER_CLIENT} from one client in 15 minutes; see Retry-After`,
};
