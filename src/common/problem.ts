import { HttpException } from '@nestjs/common';

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
  /** The request's X-Request-Id, to find its log lines. */
  request_id?: string;
}

/** A stable machine-readable error code with the HTTP status it is answered with and what it means. */
export interface ErrorCode<C extends string = string> {
  readonly code: C;
  readonly status: number;
  readonly description: string;
}

type ErrorCatalog<T> = { readonly [K in keyof T & string]: ErrorCode<K> };

/**
 * Declares a domain's error codes once, each with its status and meaning:
 * `defineErrors({ INSUFFICIENT_STOCK: [409, 'Not enough stock'] })`. Services throw them with `problem()`,
 * and `@ApiProblems()` documents exactly those, so Swagger lists what a route can really answer.
 */
export function defineErrors<const T extends Record<string, readonly [number, string]>>(definitions: T): ErrorCatalog<T> {
  return Object.fromEntries(
    Object.entries(definitions).map(([code, [status, description]]) => [code, { code, status, description }]),
  ) as ErrorCatalog<T>;
}

/**
 * An error with a stable `code`, answered as RFC 9457 problem details with the code's status.
 * Services throw these (through `problem()`); the ProblemDetailsFilter writes them.
 */
export class ProblemException<C extends string = string> extends HttpException {
  readonly code: C;

  constructor(
    error: ErrorCode<C>,
    detail: string,
    readonly errors?: ProblemError[],
    /** Seconds, sent as Retry-After (429 and 503 answers that the service itself decides). */
    readonly retryAfter?: number,
  ) {
    super(detail, error.status);
    this.code = error.code;
  }
}

/** `throw problem(OrderErrors.INSUFFICIENT_STOCK, 'Not enough stock for product 7', [...])` */
export const problem = <C extends string>(error: ErrorCode<C>, detail: string, errors?: ProblemError[]) =>
  new ProblemException(error, detail, errors);

/** A refusal the client may retry after `seconds`. */
export const retryLater = <C extends string>(error: ErrorCode<C>, detail: string, seconds: number) =>
  new ProblemException(error, detail, undefined, seconds);
