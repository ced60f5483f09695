import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import type { Scope } from '../auth/scopes';
import { newestFirst, Page, PaginationQueryDto, readPage, toPage } from '../common/pagination';
import { problem } from '../common/problem';
import { authConfig, type AuthConfig } from '../config/configuration';
import { describeDriverError, isUniqueViolation } from '../database/driver-errors';
import { executeCounting, SqlDialect, sqlDialect } from '../database/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { issueApiKey, matchesHash, prefixOf } from './api-key-secret';
import { ApiKeyErrors } from './api-keys.errors';
import { ApiKeyResponseDto, toApiKeyResponse } from './dto/api-key-response.dto';
import type { ApiKeyWithSecretDto } from './dto/api-key-with-secret.dto';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { ApiKey } from './entities/api-key.entity';

/** Newest first; its (created_at, id) index serves every page. */
const API_KEYS_NEWEST_FIRST = newestFirst<ApiKey>('api-keys');

/** `last_used_at` is written at most this often per key: a busy key must not cost a write per request. */
export const LAST_USED_PRECISION_MS = 60_000;

/** Look-ups an instance keeps at most; beyond that the oldest go first (keys sent by nobody fill no memory). */
const MAX_CACHED_LOOKUPS = 10_000;

/** What authenticating a presented key found: the key, or why a key of ours is refused. */
export type StoredKeyCheck = { key: { id: number; name: string; scopes: Scope[] } } | { refused: 'unknown' | 'revoked' | 'expired' };

interface Lookup {
  /** Date.now() until which this look-up may be answered from memory. */
  until: number;
  row: Promise<ApiKey | null>;
}

/**
 * Owns `api_keys`: issuing, listing, revoking, and authenticating the keys presented with X-API-Key.
 *
 * Authentication reads the key's row by its prefix and keeps that look-up in memory for API_KEY_CACHE_TTL_MS
 * (at most 1 s), so a burst of requests with one key costs one query, yet a key revoked on any instance is
 * refused everywhere within about a second. The instance that revokes forgets its look-up at once.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly sql: SqlDialect;
  private readonly cacheTtlMs: number;
  private readonly lookups = new Map<string, Lookup>();
  /** When this instance last wrote each key's last_used_at (Date.now()). */
  private readonly lastWritten = new Map<number, number>();

  constructor(
    @InjectRepository(ApiKey) private readonly apiKeysRepository: Repository<ApiKey>,
    @InjectDataSource() dataSource: DataSource,
    private readonly tx: TransactionRunner,
    @Inject(authConfig.KEY) config: AuthConfig,
  ) {
    this.sql = sqlDialect(dataSource);
    this.cacheTtlMs = config.apiKeyCacheTtlMs;
  }

  async create(dto: CreateApiKeyDto): Promise<ApiKeyWithSecretDto> {
    // a new prefix if two keys ever draw the same 48 bits (the unique index refuses the second)
    for (let attempt = 1; ; attempt++) {
      const issued = issueApiKey();
      try {
        const saved = await this.tx.run(({ manager }) =>
          manager.save(
            manager.create(ApiKey, {
              name: dto.name,
              scopes: dto.scopes,
              prefix: issued.prefix,
              secretHash: issued.secretHash,
              expiresAt: dto.expires_at ? new Date(dto.expires_at) : null,
            }),
          ),
        );
        return { ...toApiKeyResponse(saved), key: issued.key };
      } catch (error) {
        if (attempt >= 3 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  /** Newest first (created_at, then id), revoked keys included. */
  async list(query: PaginationQueryDto): Promise<Page<ApiKeyResponseDto>> {
    const page = await readPage(this.apiKeysRepository.createQueryBuilder('k'), query, API_KEYS_NEWEST_FIRST, 'IDX_api_keys_created');
    return toPage(page, query, toApiKeyResponse);
  }

  async findOne(id: number): Promise<ApiKeyResponseDto> {
    return toApiKeyResponse(await this.get(this.apiKeysRepository.manager, id));
  }

  /**
   * Revokes a key: refused from now on by this instance, and by every other within API_KEY_CACHE_TTL_MS.
   * Revoking a revoked key changes nothing (it keeps its first revoked_at) and answers the same.
   */
  async revoke(id: number): Promise<ApiKeyResponseDto> {
    const revoked = await this.tx.run(async ({ manager }) => {
      await executeCounting(manager, `UPDATE api_keys SET revoked_at = ${this.sql.now} WHERE id = ? AND revoked_at IS NULL`, [id]);
      return this.get(manager, id);
    });
    this.lookups.delete(revoked.prefix);
    return toApiKeyResponse(revoked);
  }

  /**
   * Whether a presented key is one of ours, valid now. Shaped otherwise, it is not looked up at all. The hash
   * is compared before anything else is said, so only the key's holder learns that it was revoked or expired.
   */
  async authenticate(presented: string): Promise<StoredKeyCheck> {
    const prefix = prefixOf(presented);
    const row = prefix ? await this.lookUp(prefix) : null;
    if (!row || !matchesHash(presented, row.secretHash)) return { refused: 'unknown' };
    if (row.revokedAt) return { refused: 'revoked' };
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return { refused: 'expired' };
    return { key: { id: row.id, name: row.name, scopes: row.scopes } };
  }

  /**
   * Sets the key's last_used_at, at most once a minute: this instance skips the write within a minute of its
   * last one, and the UPDATE's condition (on the database's clock) skips it when another instance wrote
   * within the minute. Its own transaction, queued like every write (never inside another request's), and
   * never a reason to fail the request: a failure is logged, and tried again a minute later.
   */
  async recordUse(id: number): Promise<void> {
    const now = Date.now();
    if (now - (this.lastWritten.get(id) ?? -Infinity) < LAST_USED_PRECISION_MS) return;
    this.lastWritten.set(id, now);
    try {
      await this.tx.run(({ manager }) =>
        executeCounting(
          manager,
          `UPDATE api_keys SET last_used_at = ${this.sql.now}
            WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ${this.sql.nowMinusMs})`,
          [id, LAST_USED_PRECISION_MS],
        ),
      );
    } catch (error) {
      this.logger.warn(`Could not record the use of API key ${id}: ${describeDriverError(error)}`);
    }
  }

  /** The key's row with its hash, from memory when looked up less than cacheTtlMs ago; concurrent look-ups share one query. */
  private lookUp(prefix: string): Promise<ApiKey | null> {
    const now = Date.now();
    const cached = this.lookups.get(prefix);
    if (cached && cached.until > now) return cached.row;
    const row = this.apiKeysRepository.createQueryBuilder('k').addSelect('k.secretHash').where('k.prefix = :prefix', { prefix }).getOne();
    if (this.cacheTtlMs > 0) {
      // deleted and set again, so that the map's order stays oldest first
      this.lookups.delete(prefix);
      if (this.lookups.size >= MAX_CACHED_LOOKUPS) this.evict(now);
      this.lookups.set(prefix, { until: now + this.cacheTtlMs, row });
      // a failed query (database down) is not remembered: the next request asks again
      row.catch(() => {
        if (this.lookups.get(prefix)?.row === row) this.lookups.delete(prefix);
      });
    }
    return row;
  }

  private evict(now: number): void {
    for (const [prefix, lookup] of this.lookups) if (lookup.until <= now) this.lookups.delete(prefix);
    if (this.lookups.size >= MAX_CACHED_LOOKUPS) this.lookups.delete(this.lookups.keys().next().value!);
  }

  private async get(manager: EntityManager, id: number): Promise<ApiKey> {
    const apiKey = await manager.findOne(ApiKey, { where: { id } });
    if (!apiKey) throw problem(ApiKeyErrors.API_KEY_NOT_FOUND, `API key ${id} not found`);
    return apiKey;
  }
}
