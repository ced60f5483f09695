import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { authConfig, type AuthConfig } from '../config/configuration';

/** Compares a presented key with every configured key in constant time (digests make the lengths equal). */
@Injectable()
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(@Inject(authConfig.KEY) config: AuthConfig) {
    this.digests = config.apiKeys.map(secretDigest);
  }

  isValid(presented: string | string[] | undefined): boolean {
    if (typeof presented !== 'string' || !presented) return false;
    const candidate = secretDigest(presented);
    // no early exit: the time taken does not tell which key, if any, matched
    return this.digests.reduce((found, key) => timingSafeEqual(key, candidate) || found, false);
  }
}

/** A secret's SHA-256: digests of any two secrets have the same length, which timingSafeEqual needs. */
export const secretDigest = (secret: string): Buffer => createHash('sha256').update(secret).digest();
