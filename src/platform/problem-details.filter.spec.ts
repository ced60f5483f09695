import { BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { defineErrors, problem } from '../common/problem';
import { toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it("keeps a domain error's status, code, detail and errors", () => {
    const { INSUFFICIENT_STOCK } = defineErrors({ INSUFFICIENT_STOCK: [409, 'Not enough stock'] });
    const body = toProblem(
      problem(INSUFFICIENT_STOCK, 'Not enough stock for product 7', [{ product_id: 7, requested: 3, available: 1 }]),
      '/orders',
    );
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
      detail: 'Not enough stock for product 7',
      code: 'INSUFFICIENT_STOCK',
      instance: '/orders',
      errors: [{ product_id: 7, requested: 3, available: 1 }],
    });
  });

  it('gives framework HTTP errors a code from their status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'))).toMatchObject({ status: 404, code: 'NOT_FOUND', detail: 'Cannot GET /x' });
    expect(toProblem(new HttpException('slow down', 429))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
  });

  it("recognises Fastify's body errors behind Nest's wrapper", () => {
    const wrapped = new BadRequestException('Body is not valid JSON', {
      cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY' }),
    });
    expect(toProblem(wrapped)).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
  });

  it("recognises the errors Fastify's router raises before routing", () => {
    const routerError = (code: string, statusCode: number) => Object.assign(new Error(`'/products/%E0' ${code}`), { code, statusCode });
    expect(toProblem(routerError('FST_ERR_BAD_URL', 400), '/products/%E0')).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'The URL is not validly percent-encoded',
      code: 'MALFORMED_URL',
      instance: '/products/%E0',
    });
    expect(toProblem(routerError('FST_ERR_MAX_PARAM_LENGTH', 414))).toMatchObject({ status: 414, code: 'URI_TOO_LONG' });
  });

  it('maps a unique-index violation that escaped a service to 409, without the SQL', () => {
    const error = new QueryFailedError(
      'INSERT INTO customers …',
      [],
      Object.assign(new Error("Duplicate entry 'a@b.c' for key"), { errno: 1062 }),
    );
    const problem = toProblem(error);
    expect(problem).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(JSON.stringify(problem)).not.toMatch(/INSERT|Duplicate entry|a@b\.c/);
  });

  it("answers an unreachable database with 503 DATABASE_UNAVAILABLE, without the driver's message", () => {
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:3306'), { code: 'ECONNREFUSED', fatal: true });
    const lost = new QueryFailedError(
      'SELECT …',
      [],
      Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
    );
    for (const error of [refused, lost]) {
      const problem = toProblem(error, '/products/1');
      expect(problem).toMatchObject({ status: 503, title: 'Service Unavailable', code: 'DATABASE_UNAVAILABLE' });
      expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|SELECT|Connection lost/);
    }
    expect(warned).toHaveBeenCalledTimes(2);
    warned.mockRestore();
  });

  it('answers anything unexpected with a bare 500 and puts the stack only in the log', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const error = new TypeError("Cannot read properties of undefined (reading 'secret')");
    const problem = toProblem(error, '/customers');
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      code: 'INTERNAL_ERROR',
      instance: '/customers',
    });
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining("TypeError: Cannot read properties of undefined (reading 'secret')\n    at "),
    );
    logged.mockRestore();
  });
});
