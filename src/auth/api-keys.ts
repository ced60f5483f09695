import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { authConfig, type AuthConfig } from '../config/configuration';
import { SCOPES, type Scope } from './scopes';

/** A caller authenticated by X-API-Key: a stored key, by id and name, or one of API_KEYS (id null). */
export interface ApiKeyCaller {
  id: number | null;
  name: string;
  scopes: readonly Scope[];
}

/** What a request's X-API-Key turned out to be: a caller, or the reason it is refused (for the 401's detail). */
export type ApiKeyCheck = { caller: ApiKeyCaller } | { refused: string };

/** Keys from API_KEYS bootstrap everything else: they are admin keys, as they were before keys had scopes. */
export const CONFIGURED_KEY_CALLER: ApiKeyCaller = { id: null, name: 'API_KEYS', scopes: SCOPES };

const REFUSALS = {
  unknown: 'Unknown API key',
  revoked: 'This API key was revoked',
  expired: 'This API key has expired',
} as const;

type RequestWithHeaders = { headers: Record<string, string | string[] | undefined> };

/**
 * Checks X-API-Key: first against API_KEYS (in constant time), then against the stored keys (ApiKeysService).
 * A request's key is checked once, however many guards ask: the rate limiter (which lets valid keys through
 * uncounted) and then the auth guard share the one answer, and so the one database look-up.
 */
@Injectable()
export class ApiKeys {
  private readonly digests: Buffer[];
  private readonly checks = new WeakMap<object, Promise<ApiKeyCheck>>();

  constructor(
    @Inject(authConfig.KEY) config: AuthConfig,
    private readonly apiKeysService: ApiKeysService,
  ) {
    this.digests = config.apiKeys.map(secretDigest);
  }

  /** The request's key checked, or undefined when it sends no X-API-Key. */
  check(request: RequestWithHeaders): Promise<ApiKeyCheck> | undefined {
    const presented = request.headers['x-api-key'];
    if (presented === undefined) return undefined;
    let check = this.checks.get(request);
    if (!check) {
      check = this.checkKey(presented);
      this.checks.set(request, check);
    }
    return check;
  }

  private async checkKey(presented: string | string[]): Promise<ApiKeyCheck> {
    if (typeof presented !== 'string' || !presented) return { refused: REFUSALS.unknown };
    if (this.isConfigured(presented)) return { caller: CONFIGURED_KEY_CALLER };
    const stored = await this.apiKeysService.authenticate(presented);
    return 'key' in stored ? { caller: stored.key } : { refused: REFUSALS[stored.refused] };
  }

  /** Compares with every configured key in constant time (digests make the lengths equal). */
  private isConfigured(presented: string): boolean {
    const candidate = secretDigest(presented);
    // no early exit: the time taken does not tell which key, if any, matched
    return this.digests.reduce((found, key) => timingSafeEqual(key, candidate) || found, false);
  }
}

/** A secret's SHA-256: digests of any two secrets have the same length, which timingSafeEqual needs. */
export const secretDigest = (secret: string): Buffer => createHash('sha256').update(secret).digest();
