import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CommonErrors } from '../common/common.errors';
import { ApiProblems } from '../platform/openapi/api-problems.decorator';
import { API_KEY_SCHEME, BEARER_SCHEME, METRICS_TOKEN_SCHEME, REQUIRED_SCOPES_EXTENSION } from '../platform/openapi/document';
import type { ApiKeyCaller } from './api-keys';
import type { Scope } from './scopes';

/**
 * Who may call a route. Every route carries one of these (the guard refuses unmarked routes):
 * - public: anyone;
 * - api-key: internal services and administrators with X-API-Key;
 * - customer: an API key, or a customer's Bearer token — the service then limits the customer to its own data;
 * - metrics: an API key, or METRICS_TOKEN as a Bearer token (the Prometheus server scraping GET /metrics).
 * Every route but a public one also names the scope an API key needs for it (the guard refuses a route without
 * one); `admin` keys reach every route. Customer tokens carry no scopes.
 */
export type Access = 'public' | 'api-key' | 'customer' | 'metrics';
export const ACCESS = 'access';
export const REQUIRED_SCOPE = 'requiredScope';

export type Principal = { kind: 'service'; apiKey: ApiKeyCaller } | { kind: 'customer'; customerId: number } | { kind: 'metrics-token' };

export const Public = () => applyDecorators(SetMetadata(ACCESS, 'public' satisfies Access), ApiProblems(CommonErrors.RATE_LIMITED));

/** The scope for the guard, and for Swagger (document.ts words it into the operation and its 403). */
const needs = (scope: Scope) => applyDecorators(SetMetadata(REQUIRED_SCOPE, scope), ApiExtension(REQUIRED_SCOPES_EXTENSION, [scope]));

export const ApiKeyOnly = (scope: Scope) =>
  applyDecorators(
    SetMetadata(ACCESS, 'api-key' satisfies Access),
    needs(scope),
    ApiSecurity(API_KEY_SCHEME),
    // callers without a valid key are counted by the rate limit too, and may be refused with 429
    ApiProblems(CommonErrors.UNAUTHORIZED, CommonErrors.FORBIDDEN, CommonErrors.RATE_LIMITED),
  );

export const CustomerOrApiKey = (scope: Scope) =>
  applyDecorators(
    SetMetadata(ACCESS, 'customer' satisfies Access),
    needs(scope),
    ApiSecurity(API_KEY_SCHEME),
    ApiBearerAuth(BEARER_SCHEME),
    ApiProblems(CommonErrors.UNAUTHORIZED, CommonErrors.RATE_LIMITED),
  );

/** GET /metrics: a key with the `admin` scope, or the scraper's METRICS_TOKEN. */
export const MetricsReader = () =>
  applyDecorators(
    SetMetadata(ACCESS, 'metrics' satisfies Access),
    needs('admin'),
    ApiSecurity(API_KEY_SCHEME),
    ApiBearerAuth(METRICS_TOKEN_SCHEME),
    ApiProblems(CommonErrors.UNAUTHORIZED, CommonErrors.FORBIDDEN, CommonErrors.RATE_LIMITED),
  );

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

/** The caller the guard authenticated. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<AuthenticatedRequest>().principal!;
});

/**
 * The customer a request is confined to: its own id for a customer token, undefined for an API key (all
 * customers). Services answer 404 for anything outside it, so a customer never learns what others have.
 */
export type OwnerScope = number | undefined;
export const ownerScope = (principal: Principal): OwnerScope => (principal.kind === 'customer' ? principal.customerId : undefined);
