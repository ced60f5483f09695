import { HttpException, HttpStatus } from '@nestjs/common';

/** One entry of a problem's `errors`: a field, or a product, and what is wrong with it. */
export type ProblemError = Record<string, unknown>;

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: ProblemError[];
}

/**
 * An error with a stable machine-readable `code`, answered as RFC 9457 problem details.
 * Services throw these; the ProblemDetailsFilter writes them.
 */
export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    detail: string,
    readonly errors?: ProblemError[],
    /** Seconds, sent as Retry-After (429 answers that the service itself decides). */
    readonly retryAfter?: number,
  ) {
    super(detail, status);
  }
}

export const notFound = (code: string, detail: string) => new ProblemException(HttpStatus.NOT_FOUND, code, detail);
export const conflict = (code: string, detail: string, errors?: ProblemError[]) =>
  new ProblemException(HttpStatus.CONFLICT, code, detail, errors);
export const badRequest = (code: string, detail: string, errors?: ProblemError[]) =>
  new ProblemException(HttpStatus.BAD_REQUEST, code, detail, errors);

/** Codes a client may see besides the per-domain ones; documented in Swagger. */
export const GenericCodes = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  INVALID_ID: 'INVALID_ID',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
