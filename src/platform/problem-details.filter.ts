import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { CommonErrors, DATABASE_RETRY_AFTER_SECONDS } from '../common/common.errors';
import { ErrorCode, ProblemBody, ProblemException } from '../common/problem';
import { isConnectionError, isUniqueViolation } from '../database/driver-errors';
import { refusedByRouter } from './framework-errors';

/** The code of an error that carries only a status (the framework's own exceptions). */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: CommonErrors.VALIDATION_FAILED,
  401: CommonErrors.UNAUTHORIZED,
  403: CommonErrors.FORBIDDEN,
  404: CommonErrors.NOT_FOUND,
  409: CommonErrors.CONFLICT,
  413: CommonErrors.PAYLOAD_TOO_LARGE,
  415: CommonErrors.UNSUPPORTED_MEDIA_TYPE,
  429: CommonErrors.RATE_LIMITED,
  503: CommonErrors.SERVICE_UNAVAILABLE,
};

/** Fastify's own errors, raised while it routes the request or parses the body. */
const FASTIFY_ERRORS: Record<string, { error: ErrorCode; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { error: CommonErrors.MALFORMED_JSON, detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { error: CommonErrors.MALFORMED_JSON, detail: 'The request body is empty but declared as JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { error: CommonErrors.PAYLOAD_TOO_LARGE, detail: 'The request body is larger than 1 MB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { error: CommonErrors.UNSUPPORTED_MEDIA_TYPE, detail: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { error: CommonErrors.MALFORMED_JSON, detail: 'Content-Length does not match the body' },
  FST_ERR_BAD_URL: { error: CommonErrors.MALFORMED_URL, detail: 'The URL is not validly percent-encoded' },
  FST_ERR_MAX_PARAM_LENGTH: { error: CommonErrors.URI_TOO_LONG, detail: 'A path segment is longer than 100 characters' },
};

const logger = new Logger('ProblemDetails');

const codeForStatus = (status: number): string => CODE_BY_STATUS[status]?.code ?? `HTTP_${status}`;

/** Turns anything thrown while handling a request into an RFC 9457 problem. Nothing internal leaks. */
export function toProblem(exception: unknown, instance?: string): ProblemBody {
  const problem = (status: number, code: string, detail: string, errors?: ProblemBody['errors']): ProblemBody => ({
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    code,
    ...(instance ? { instance } : {}),
    ...(errors?.length ? { errors } : {}),
  });

  if (exception instanceof ProblemException) {
    return problem(exception.getStatus(), exception.code, exception.message, exception.errors);
  }
  // Nest wraps Fastify's own errors (body parsing runs before any handler) and keeps them as the cause
  const fastifyCode = ((exception as { cause?: { code?: string } })?.cause ?? (exception as { code?: string }))?.code;
  if (fastifyCode && FASTIFY_ERRORS[fastifyCode]) {
    const { error, detail } = FASTIFY_ERRORS[fastifyCode];
    return problem(error.status, error.code, detail);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? response.message : exception.message;
    const detail = Array.isArray(message) ? message.join('; ') : String(message);
    return problem(status, codeForStatus(status), detail);
  }
  if (isConnectionError(exception)) {
    logger.warn(`Database unavailable: ${(exception as Error).message}`);
    return problem(503, CommonErrors.DATABASE_UNAVAILABLE.code, 'The database is unavailable; retry shortly');
  }
  if (exception instanceof QueryFailedError && isUniqueViolation(exception)) {
    return problem(409, CommonErrors.CONFLICT.code, CommonErrors.CONFLICT.description);
  }
  const statusCode = (exception as { statusCode?: number })?.statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return problem(statusCode, codeForStatus(statusCode), STATUS_CODES[statusCode] ?? 'Bad request');
  }
  logger.error(exception instanceof Error ? exception.stack : String(exception));
  return problem(500, CommonErrors.INTERNAL_ERROR.code, CommonErrors.INTERNAL_ERROR.description);
}

const pathOf = (url: string | undefined) => url?.split('?')[0];

export function sendProblem(reply: FastifyReply, body: ProblemBody): void {
  reply.status(body.status).header('Content-Type', 'application/problem+json; charset=utf-8').send(body);
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // the throttler sets its own Retry-After; the service's own 429s and 503s carry theirs on the exception
    const retryAfter =
      exception instanceof ProblemException
        ? exception.retryAfter
        : isConnectionError(exception)
          ? DATABASE_RETRY_AFTER_SECONDS
          : undefined;
    if (retryAfter) reply.header('Retry-After', String(retryAfter));
    // a request the router refused arrives here as not found (see rerouteFrameworkError): answer for the refusal
    const refused = refusedByRouter(request);
    const body = refused ? toProblem(refused.error, pathOf(refused.url)) : toProblem(exception, pathOf(request.url));
    sendProblem(reply, { ...body, request_id: request.id });
  }
}
