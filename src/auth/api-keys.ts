import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { authConfig, type AuthConfig } from '../config/configuration';

/** Compares a presented key with every configured key in constant time (digests make the lengths equal). */
@Injectable()
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(@Inject(authConfig.KEY) config: AuthConfig) {
    this.digests = config.apiKeys.map(digest);
  }

  isValid(presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string' || !presented) return false;
    const candidate = digest(presented);
    // no early exit: the time taken does not tell which key, if any, matched
    return this.digests.reduce((found, key) => timingSafeEqual(key, candidate) || found, false);
  }
}

const digest = (key: string) => createHash('sha256').update(key).digest();
