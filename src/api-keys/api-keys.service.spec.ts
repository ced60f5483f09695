import { Logger } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import type { AuthConfig } from '../config/configuration';
import { inMemoryDataSource } from '../database/in-memory-data-source';
import { TransactionRunner } from '../database/transaction-runner';
import { API_KEY_PATTERN, hashApiKey } from './api-key-secret';
import { ApiKeysService, LAST_USED_PRECISION_MS } from './api-keys.service';
import { ApiKey } from './entities/api-key.entity';

/** Against a real in-memory SQLite database; Date.now() is moved by hand to cross the cache's and last_used_at's windows. */
describe('ApiKeysService', () => {
  let dataSource: DataSource;
  let repository: Repository<ApiKey>;
  let tx: TransactionRunner;
  let sut: ApiKeysService;
  let now: number;

  const instance = (cacheTtlMs = 1000) => new ApiKeysService(repository, dataSource, tx, { apiKeyCacheTtlMs: cacheTtlMs } as AuthConfig);
  const issue = (scopes: ApiKey['scopes'] = ['orders:read'], expires_at?: string) => sut.create({ name: 'reporting', scopes, expires_at });
  /** Counts the look-ups that reach the database. */
  const queries = () => jest.spyOn(repository, 'createQueryBuilder');

  beforeEach(async () => {
    dataSource = await inMemoryDataSource();
    repository = dataSource.getRepository(ApiKey);
    tx = new TransactionRunner(dataSource);
    now = Date.now();
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    sut = instance();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await dataSource.destroy();
  });

  it('issues a key of the documented shape and stores only its SHA-256, under the key’s visible prefix', async () => {
    const created = await issue(['orders:read', 'events:read']);
    expect(created.key).toMatch(API_KEY_PATTERN);
    expect(created.key.startsWith(`${created.prefix}_`)).toBe(true);
    const row = await repository.createQueryBuilder('k').addSelect('k.secretHash').where('k.id = :id', { id: created.id }).getOneOrFail();
    expect(row).toMatchObject({ prefix: created.prefix, secretHash: hashApiKey(created.key), scopes: ['orders:read', 'events:read'] });
    expect(JSON.stringify(await dataSource.query('SELECT * FROM api_keys'))).not.toContain(created.key.slice(created.prefix.length));
  });

  it('authenticates its key, and refuses a wrong secret under a real prefix, a revoked key and an expired one', async () => {
    const { id, key, prefix } = await issue();
    expect(await sut.authenticate(key)).toEqual({ key: { id, name: 'reporting', scopes: ['orders:read'] } });
    const wrong = `${prefix}_${'A'.repeat(43)}`;
    expect(await sut.authenticate(wrong)).toEqual({ refused: 'unknown' });

    const expiring = await issue(['orders:read'], new Date(now + 5000).toISOString());
    expect(await sut.authenticate(expiring.key)).toHaveProperty('key');
    now += 5000;
    expect(await sut.authenticate(expiring.key)).toEqual({ refused: 'expired' });

    await sut.revoke(id);
    expect(await sut.authenticate(key)).toEqual({ refused: 'revoked' });
  });

  it('never asks the database about a string that is not shaped like our keys', async () => {
    const lookups = queries();
    for (const presented of ['dev-api-key', 'eak_', `eak_ABCDEF012345_${'A'.repeat(43)}`, `eak_0123456789ab_${'A'.repeat(42)}`]) {
      expect(await sut.authenticate(presented)).toEqual({ refused: 'unknown' });
    }
    expect(lookups).not.toHaveBeenCalled();
  });

  it('answers a key from memory for at most the cache TTL, with one query for concurrent requests', async () => {
    const { key } = await issue();
    const lookups = queries();
    await Promise.all([sut.authenticate(key), sut.authenticate(key), sut.authenticate(key)]);
    now += 999;
    await sut.authenticate(key);
    expect(lookups).toHaveBeenCalledTimes(1);
    now += 1;
    await sut.authenticate(key);
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('a revocation is seen at once by the instance that revokes, and by another within the TTL', async () => {
    const other = instance();
    const { id, key } = await issue();
    expect(await other.authenticate(key)).toHaveProperty('key');
    expect(await sut.authenticate(key)).toHaveProperty('key');
    await sut.revoke(id);
    expect(await sut.authenticate(key)).toEqual({ refused: 'revoked' });
    // the other instance still answers from its look-up until it is a TTL old
    expect(await other.authenticate(key)).toHaveProperty('key');
    now += 1000;
    expect(await other.authenticate(key)).toEqual({ refused: 'revoked' });
  });

  it('with a TTL of 0 asks the database every time', async () => {
    sut = instance(0);
    const { key } = await issue();
    const lookups = queries();
    await sut.authenticate(key);
    await sut.authenticate(key);
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('does not remember a failed look-up: the next request asks again', async () => {
    const { key } = await issue();
    const failing = repository.createQueryBuilder('k');
    jest.spyOn(failing, 'getOne').mockRejectedValueOnce(new Error('database down'));
    const lookups = queries().mockReturnValueOnce(failing);
    await expect(sut.authenticate(key)).rejects.toThrow('database down');
    expect(await sut.authenticate(key)).toHaveProperty('key');
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  describe('recordUse', () => {
    const lastUsed = async (id: number) => (await repository.findOneByOrFail({ id })).lastUsedAt;

    it('writes last_used_at on the first use, then not again within the minute', async () => {
      const { id } = await issue();
      const writes = jest.spyOn(tx, 'run');
      await sut.recordUse(id);
      const first = await lastUsed(id);
      expect(first).toBeInstanceOf(Date);
      await sut.recordUse(id);
      now += LAST_USED_PRECISION_MS - 1;
      await sut.recordUse(id);
      expect(writes).toHaveBeenCalledTimes(1);
      expect(await lastUsed(id)).toEqual(first);
    });

    it('leaves a use written by another instance within the minute alone (the UPDATE is conditional on the database clock)', async () => {
      const { id } = await issue();
      await instance().recordUse(id);
      const first = await lastUsed(id);
      await sut.recordUse(id);
      expect(await lastUsed(id)).toEqual(first);
    });

    it('logs a failed write instead of failing the request, and tries again a minute later', async () => {
      const { id } = await issue();
      const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      jest.spyOn(tx, 'run').mockRejectedValueOnce(Object.assign(new Error('gone'), { code: 'ECONNRESET' }));
      await expect(sut.recordUse(id)).resolves.toBeUndefined();
      expect(warned).toHaveBeenCalledWith(expect.stringContaining(`Could not record the use of API key ${id}`));
      now += LAST_USED_PRECISION_MS;
      await sut.recordUse(id);
      expect(await lastUsed(id)).toBeInstanceOf(Date);
    });
  });
});
