import { Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { authConfig, type AuthConfig } from '../config/configuration';
import { secretDigest } from './api-keys';

/** METRICS_TOKEN, the Bearer token a Prometheus server scrapes GET /metrics with; compared in constant time. */
@Injectable()
export class MetricsToken {
  private readonly digest: Buffer | null;

  constructor(@Inject(authConfig.KEY) config: AuthConfig) {
    this.digest = config.metricsToken ? secretDigest(config.metricsToken) : null;
  }

  /** True if the Authorization header is `Bearer <METRICS_TOKEN>`; always false when no token is configured. */
  matches(authorization: string | undefined): boolean {
    const presented = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!this.digest || presented === undefined) return false;
    return timingSafeEqual(this.digest, secretDigest(presented));
  }
}
