import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { CommonErrors } from '../common/common.errors';
import { retryLater } from '../common/problem';
import { type Access, ACCESS } from './access';
import { ApiKeys } from './api-keys';
import { MetricsToken } from './metrics-token';

/**
 * @nestjs/throttler for anonymous and customer callers, per client address, with the IETF `RateLimit-*`
 * header names. Callers with a valid API key (from API_KEYS or stored, not revoked or expired) are internal
 * services and are not limited; nor is the Prometheus server scraping GET /metrics with METRICS_TOKEN (an
 * internal caller too, on a fixed schedule), on that route only. The hits are counted across instances with REDIS_URL (SharedThrottlerStorage),
 * else per instance.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override headerPrefix = 'RateLimit';

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly apiKeys: ApiKeys,
    private readonly metricsToken: MetricsToken,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    // the auth guard reuses this check (and its look-up) for the same request
    const apiKey = this.apiKeys.check(request);
    if (apiKey !== undefined && 'caller' in (await apiKey)) return true;
    // elsewhere the token is no credential at all, and its bearer is counted like anyone else
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    return access === 'metrics' && this.metricsToken.matches(request.headers.authorization as string | undefined);
  }

  /** A sentence for the client instead of the framework's "ThrottlerException: Too Many Requests". */
  protected override async throwThrottlingException(
    _context: ExecutionContext,
    { limit, ttl, timeToBlockExpire }: ThrottlerLimitDetail,
  ): Promise<void> {
    const seconds = Math.max(1, Math.ceil(timeToBlockExpire));
    throw retryLater(
      CommonErrors.RATE_LIMITED,
      `Too many requests: this client may make ${limit} every ${Math.round(ttl / 1000)} s; retry in ${seconds} s`,
      seconds,
    );
  }
}
