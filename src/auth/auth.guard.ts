import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { CommonErrors } from '../common/common.errors';
import { problem } from '../common/problem';
import { CustomersService } from '../customers/customers.service';
import { Access, ACCESS, AuthenticatedRequest } from './access';
import { ApiKeys } from './api-keys';

export const TOKEN_TYPE = 'customer';

const unauthorized = (detail: string) => problem(CommonErrors.UNAUTHORIZED, detail);
const forbidden = (detail: string) => problem(CommonErrors.FORBIDDEN, detail);

/**
 * Default deny: a route without an access marking is refused to everyone. An X-API-Key is checked first;
 * otherwise a Bearer token must be a valid customer token of a customer that still exists.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly jwt: JwtService,
    private readonly customersService: CustomersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!access) {
      this.logger.error(`${request.method} ${request.routeOptions.url} has no access marking: refused`);
      throw forbidden('This route is not available');
    }

    const apiKey = request.headers['x-api-key'];
    if (apiKey !== undefined) {
      if (!this.apiKeys.isValid(apiKey)) throw unauthorized('Unknown API key');
      request.principal = { kind: 'service' };
      return true;
    }

    const customerId = await this.customerFromToken(request.headers.authorization);
    if (access === 'api-key') throw forbidden('This route needs an API key');
    request.principal = { kind: 'customer', customerId };
    return true;
  }

  private async customerFromToken(header: string | undefined): Promise<number> {
    const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header ?? '');
    if (!match) throw unauthorized('Send X-API-Key or Authorization: Bearer <token>');
    let payload: { sub?: unknown; typ?: unknown };
    try {
      payload = await this.jwt.verifyAsync(match[1], { algorithms: ['HS256'] });
    } catch {
      throw unauthorized('The token is invalid or has expired');
    }
    const customerId = Number(payload.sub);
    if (payload.typ !== TOKEN_TYPE || !Number.isInteger(customerId)) throw unauthorized('The token is invalid or has expired');
    // a deleted customer's tokens die with it
    if (!(await this.customersService.isActive(customerId))) {
      throw unauthorized('The token is invalid or has expired');
    }
    return customerId;
  }
}
