import { CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { catchError, from, Observable, of } from 'rxjs';
import type { AuthenticatedRequest, Principal } from '../auth/access';
import { problem } from '../common/problem';
import { toProblem } from '../platform/problem-details.filter';
import { IdempotencyErrors } from './idempotency.errors';
import { IdempotencyClaim, IdempotencyService } from './idempotency.service';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

type IdempotentRequest = AuthenticatedRequest & { idempotencyClaim?: IdempotencyClaim };

/**
 * The claim the interceptor took for this request's Idempotency-Key (undefined without one). The route's
 * service records its answer with it in the transaction that commits its work:
 * `this.idempotencyService.recordAnswer(tx.manager, claim, 201, body)`.
 */
export const IdempotencyClaimOf = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotencyClaim | undefined =>
    context.switchToHttp().getRequest<IdempotentRequest>().idempotencyClaim,
);

/**
 * `Idempotency-Key` (as Stripe and the IETF httpapi draft): the first request with a key runs and its
 * answer is stored; a retry with the same key and body gets that answer again with `Idempotent-Replayed:
 * true` and changes nothing. Used on POST routes, whose success is 201.
 *
 * The success answer is not stored here but by the route's service, inside the transaction of the work
 * (`@IdempotencyClaimOf()` hands it the claim): the work and its answer commit together, so no crash or
 * failure between them can leave a key whose work is done but which would run again. Client errors are
 * stored here (a retry of a 409 is the same 409; nothing was committed); a server error frees the key so
 * that the retry runs, unless the work had committed its answer, which then stays.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly idempotencyService: IdempotencyService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> | Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<IdempotentRequest>();
    const key = request.headers['idempotency-key'];
    // most requests send no key: the handler's own Observable, without a promise (and its ticks) around it
    if (key === undefined) return next.handle();
    return this.runOnce(context, request, key, next);
  }

  /** The request with an Idempotency-Key: replayed, refused, or run under a claim on the key. */
  private async runOnce(
    context: ExecutionContext,
    request: IdempotentRequest,
    key: string | string[],
    next: CallHandler,
  ): Promise<Observable<unknown>> {
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw problem(IdempotencyErrors.INVALID_IDEMPOTENCY_KEY, 'Idempotency-Key must be 1 to 255 printable ASCII characters');
    }

    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const outcome = await this.idempotencyService.claim(scopeOf(request.principal!), key, requestHash(request));
    if (outcome.kind === 'replay') {
      reply.status(outcome.statusCode).header('Idempotent-Replayed', 'true');
      if (outcome.statusCode >= 400) reply.header('Content-Type', 'application/problem+json; charset=utf-8');
      return of(outcome.body);
    }

    const { claim } = outcome;
    request.idempotencyClaim = claim;
    return next.handle().pipe(
      catchError((error: unknown) =>
        from(
          (async () => {
            const problem = toProblem(error, request.url.split('?')[0]);
            if (problem.status < 500) await this.idempotencyService.complete(claim, problem.status, problem);
            else await this.idempotencyService.release(claim);
            throw error;
          })(),
        ),
      ),
    );
  }
}

/**
 * One caller never receives another's stored answer: keys live in the caller's own namespace, each customer's
 * and each stored API key's its own; the keys of API_KEYS share one, as before stored keys existed.
 */
function scopeOf(principal: Principal): string {
  if (principal.kind === 'customer') return `customer:${principal.customerId}`;
  // no idempotent route takes the metrics token; named for completeness of the union
  if (principal.kind === 'metrics-token') return 'metrics';
  return principal.apiKey.id === null ? 'service' : `api_key:${principal.apiKey.id}`;
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
