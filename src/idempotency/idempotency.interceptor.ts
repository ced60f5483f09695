import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { catchError, from, mergeMap, Observable, of } from 'rxjs';
import type { AuthenticatedRequest, Principal } from '../auth/access';
import { problem } from '../common/problem';
import { toProblem } from '../platform/problem-details.filter';
import { IdempotencyErrors } from './idempotency.errors';
import { IdempotencyService } from './idempotency.service';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` (as Stripe and the IETF httpapi draft): the first request with a key runs and its
 * answer is stored; a retry with the same key and body gets that answer again with `Idempotent-Replayed:
 * true` and changes nothing. Client errors are stored too (a retry of a 409 is the same 409); a server
 * error frees the key so that the retry runs. Used on POST routes, whose success is 201.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotencyService: IdempotencyService) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.headers['idempotency-key'];
    if (key === undefined) return next.handle();
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw problem(IdempotencyErrors.INVALID_IDEMPOTENCY_KEY, 'Idempotency-Key must be 1 to 255 printable ASCII characters');
    }

    const scope = scopeOf(request.principal!);
    const claim = await this.idempotencyService.claim(scope, key, requestHash(request));
    if (claim.kind === 'replay') {
      reply.status(claim.statusCode).header('Idempotent-Replayed', 'true');
      if (claim.statusCode >= 400) reply.header('Content-Type', 'application/problem+json; charset=utf-8');
      return of(claim.body);
    }

    return next.handle().pipe(
      mergeMap((body) => from(this.idempotencyService.complete(scope, key, 201, body).then(() => body))),
      catchError((error: unknown) =>
        from(
          (async () => {
            const problem = toProblem(error, request.url.split('?')[0]);
            if (problem.status < 500) await this.idempotencyService.complete(scope, key, problem.status, problem);
            else await this.idempotencyService.release(scope, key);
            throw error;
          })(),
        ),
      ),
    );
  }
}

/** One caller never receives another's stored answer: keys live in the caller's own namespace. */
function scopeOf(principal: Principal): string {
  return principal.kind === 'customer' ? `customer:${principal.customerId}` : 'service';
}

/** The route and the body with its keys sorted: the same request, whatever order its fields came in. */
function requestHash(request: AuthenticatedRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${canonicalJson(request.body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
