import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { CommonErrors } from '../common/common.errors';
import { problem } from '../common/problem';
import { AccountsService } from '../accounts/accounts.service';
import { Access, ACCESS, AuthenticatedRequest } from './access';
import { ApiKeys } from './api-keys';
import { MetricsToken } from './metrics-token';
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
 * Default deny: a route without an access marking is refused to everyone. An X-API-Key is checked first (on the
 * metrics route, METRICS_TOKEN before it); otherwise a Bearer token must be a valid, expiring customer token of a
 * login that still exists and whose password has not changed since the token was issued.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly jwt: JwtService,
    private readonly accountsService: AccountsService,
    private readonly metricsToken: MetricsToken,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!access) {
      this.logger.error(`${request.method} ${request.routeOptions.url} has no access marking: refused`);
      throw forbidden('This route is not available');
    }

    // GET /metrics: the scraper's token opens this route and no other; without it, the route is an API-key route
    if (access === 'metrics' && this.metricsToken.matches(request.headers.authorization)) {
      request.principal = { kind: 'metrics-token' };
      return true;
    }

    const apiKey = request.headers['x-api-key'];
    if (apiKey !== undefined) {
      if (!this.apiKeys.isValid(apiKey)) throw unauthorized('Unknown API key');
      request.principal = { kind: 'service' };
      actAs({ type: 'api_key', id: null, name: 'API_KEYS' });
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
