import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { QueryFailedError } from 'typeorm';
import { GenericCodes, ProblemBody, ProblemException } from './problem';

const CODE_BY_STATUS: Record<number, string> = {
  400: GenericCodes.VALIDATION_FAILED,
  401: GenericCodes.UNAUTHORIZED,
  403: GenericCodes.FORBIDDEN,
  404: GenericCodes.NOT_FOUND,
  409: GenericCodes.CONFLICT,
  413: GenericCodes.PAYLOAD_TOO_LARGE,
  415: GenericCodes.UNSUPPORTED_MEDIA_TYPE,
  429: GenericCodes.RATE_LIMITED,
  503: GenericCodes.SERVICE_UNAVAILABLE,
};

/** Fastify's own errors, raised while it parses the body. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: GenericCodes.MALFORMED_JSON, detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: GenericCodes.MALFORMED_JSON, detail: 'The request body is empty but declared as JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: GenericCodes.PAYLOAD_TOO_LARGE, detail: 'The request body is larger than 1 MB' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: GenericCodes.UNSUPPORTED_MEDIA_TYPE, detail: 'Send the body as application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: GenericCodes.MALFORMED_JSON, detail: 'Content-Length does not match the body' },
};

const logger = new Logger('ProblemDetails');

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
    const known = FASTIFY_ERRORS[fastifyCode];
    return problem(known.status, known.code, known.detail);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = typeof response === 'object' && response && 'message' in response ? response.message : exception.message;
    const detail = Array.isArray(message) ? message.join('; ') : String(message);
    return problem(status, CODE_BY_STATUS[status] ?? `HTTP_${status}`, detail);
  }
  if (exception instanceof QueryFailedError && isUniqueViolation(exception)) {
    return problem(409, GenericCodes.CONFLICT, 'The request conflicts with an existing resource');
  }
  const statusCode = (exception as { statusCode?: number })?.statusCode;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    return problem(statusCode, CODE_BY_STATUS[statusCode] ?? `HTTP_${statusCode}`, STATUS_CODES[statusCode] ?? 'Bad request');
  }
  logger.error(exception instanceof Error ? exception.stack : String(exception));
  return problem(500, GenericCodes.INTERNAL_ERROR, 'An unexpected error occurred');
}

export function sendProblem(reply: FastifyReply, body: ProblemBody): void {
  reply.status(body.status).header('Content-Type', 'application/problem+json; charset=utf-8').send(body);
}

export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { errno?: number; code?: string } }).driverError;
  return driverError?.errno === 1062 || driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    // the throttler sets its own Retry-After; the service's own 429s carry theirs on the exception
    if (exception instanceof ProblemException && exception.retryAfter) http.getResponse<FastifyReply>().header('Retry-After', String(exception.retryAfter));
    sendProblem(http.getResponse<FastifyReply>(), toProblem(exception, request.url?.split('?')[0]));
  }
}
