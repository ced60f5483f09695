import { defineErrors } from './problem';

/** Codes any route may answer, besides those of its domain. */
/** Retry-After, in seconds, of a 503 DATABASE_UNAVAILABLE: about as long as a database restart takes. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export const CommonErrors = defineErrors({
  VALIDATION_FAILED: [400, 'Invalid input: a field is missing, of the wrong type or out of range, or unknown'],
  MALFORMED_JSON: [400, 'The body is not valid JSON'],
  INVALID_ID: [400, 'A path id is not a positive integer'],
  MALFORMED_URL: [400, 'The URL is not validly percent-encoded'],
  EMPTY_UPDATE: [400, 'The update names no field to change'],
  INVALID_CURSOR: [400, 'The cursor (after) is not one this list handed out: malformed, altered, or from another list'],
  UNAUTHORIZED: [401, 'Missing, unknown or expired credentials'],
  FORBIDDEN: [403, 'The credentials do not reach this route'],
  INSUFFICIENT_SCOPE: [403, 'The API key lacks the scope this route needs, named in `errors[0].required_scope`'],
  NOT_FOUND: [404, 'No such route'],
  CONFLICT: [409, 'The request conflicts with an existing resource'],
  PAYLOAD_TOO_LARGE: [413, 'The body is larger than 1 MB'],
  URI_TOO_LONG: [414, 'A path segment is longer than 100 characters'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'The body is not application/json'],
  RATE_LIMITED: [429, 'Too many requests; see Retry-After'],
  INTERNAL_ERROR: [500, 'An unexpected error occurred'],
  SERVICE_UNAVAILABLE: [503, 'The server is shutting down or cannot serve now'],
  DATABASE_UNAVAILABLE: [503, 'The database does not answer; retry after Retry-After seconds'],
});
