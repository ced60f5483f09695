import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { CommonErrors } from '../common/common.errors';
import { problem } from '../common/problem';
import { AccountsService } from '../accounts/accounts.service';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { Access, ACCESS, AuthenticatedRequest, REQUIRED_SCOPE } from './access';
import { ApiKeys } from './api-keys';
import { MetricsToken } from './metrics-token';
import { grants, isScope, type Scope } from './scopes';
import { actAs } from '../platform/request-context';

export const TOKEN_TYPE = 'customer';

/**
 * What login signs into a customer token: `sub` the customer id, `typ` TOKEN_TYPE, `aid` the account (login)
 * id, `ver` the account's token version at login, and `exp`, which every token must carry.
 */
export interface CustomerTokenClaims {
  sub: string;
  typ: typeof TOKEN_TYPE;
  aid: number;
  ver: number;
}

const unauthorized = (detail: string) => problem(CommonErrors.UNAUTHORIZED, detail);
const forbidden = (detail: string) => problem(CommonErrors.FORBIDDEN, detail);

/**
 * Default deny: a route without an access marking, or (unless public) without the scope an API key needs for
 * it, is refused to everyone. An X-API-Key is checked first (API_KEYS, then the stored keys) and must hold the
 * route's scope; otherwise a Bearer token must be a valid, expiring customer token of a login that still
 * exists and whose password has not changed since the token was issued.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly apiKeysService: ApiKeysService,
    private readonly jwt: JwtService,
    private readonly accountsService: AccountsService,
    private readonly metricsToken: MetricsToken,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, targets);
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const scope = this.reflector.getAllAndOverride<unknown>(REQUIRED_SCOPE, targets);
    if (!access || !isScope(scope)) {
      this.logger.error(`${request.method} ${request.routeOptions.url} has no ${access ? 'required scope' : 'access marking'}: refused`);
      throw forbidden('This route is not available');
    }

    // GET /metrics: the scraper's token opens this route and no other; without it, the route is an admin-key route
    if (access === 'metrics' && this.metricsToken.matches(request.headers.authorization)) {
      request.principal = { kind: 'metrics-token' };
      return true;
    }

    const apiKey = this.apiKeys.check(request);
    if (apiKey) {
      const result = await apiKey;
      if ('refused' in result) throw unauthorized(result.refused);
      const { caller } = result;
      request.principal = { kind: 'service', apiKey: caller };
      actAs({ type: 'api_key', id: caller.id, name: caller.name });
      if (caller.id !== null) await this.apiKeysService.recordUse(caller.id);
      if (!grants(caller.scopes, scope)) throw insufficientScope(scope);
      return true;
    }

    const customerId = await this.customerFromToken(request.headers.authorization);
    if (access !== 'customer') throw forbidden('This route needs an API key');
    request.principal = { kind: 'customer', customerId };
    actAs({ type: 'customer', id: customerId });
    return true;
  }

  private async customerFromToken(header: string | undefined): Promise<number> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header ?? '');
    if (!match) throw unauthorized('Send X-API-Key or Authorization: Bearer <token>');
    let payload: Record<string, unknown>;
    try {
      payload = await this.jwt.verifyAsync(match[1], { algorithms: ['HS256'] });
    } catch {
      throw unauthorized('The token is invalid or has expired');
    }
    const claims = readClaims(payload);
    // a deleted login, or a password changed since the token was issued, revokes it
    if (!claims || !(await this.accountsService.isTokenCurrent(claims))) throw unauthorized('The token is invalid or has expired');
    return claims.customerId;
  }
}

/** The claims a customer token must carry, or undefined. */
function readClaims(payload: Record<string, unknown>): { customerId: number; accountId: number; tokenVersion: number } | undefined {
  const { typ, exp, sub, aid, ver } = payload;
  const customerId = Number(sub);
  // without exp a token would never expire: jsonwebtoken checks exp only when it is there
  if (typ !== TOKEN_TYPE || typeof exp !== 'number' || !Number.isInteger(customerId)) return undefined;
  if (!Number.isInteger(aid) || !Number.isInteger(ver)) return undefined;
  return { customerId, accountId: aid as number, tokenVersion: ver as number };
}

const insufficientScope = (scope: Scope) =>
  problem(CommonErrors.INSUFFICIENT_SCOPE, `This route needs an API key with the scope ${scope} (or admin)`, [{ required_scope: scope }]);
