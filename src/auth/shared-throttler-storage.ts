import { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { RedisConnection } from '../platform/redis-connection';
import { SlidingWindowThrottlerStorage } from './throttler-storage';

/** What `increment` answers (the package does not export the type from its entry point). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * @nestjs/throttler's storage in Redis, so that every instance counts the same hits. The maintained Redis
 * storages (@nest-lab/throttler-storage-redis, @nestjs-redis/throttler-storage) declare peer dependencies on
 * Nest up to 11, so this one is ours: plain MULTI transactions on ioredis, no Lua.
 *
 * Per key, a counter of hits that expires `ttl` after its first hit (a fixed window, where the in-memory storage
 * slides each hit's expiry; the limit per window is the same) and, once the counter passes `limit`, a block key
 * that lives `blockDuration`. As in the in-memory storage, a blocked caller's requests are not counted, and the
 * count starts again from nothing when the block ends. INCR is atomic, so however many instances count at once,
 * exactly `limit` hits of a window are let through.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  /** `client` carries the key prefix (REDIS_KEY_PREFIX), so that deployments and tests sharing a Redis stay apart. */
  constructor(private readonly client: Redis) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const hitsKey = `throttle:${throttlerName}:${key}`;
    const blockKey = `${hitsKey}:blocked`;
    if (blockDuration > 0) {
      // a blocked caller is answered from the block key and not counted
      const [blockMs, hits, hitsMs] = await run(this.client.multi().pttl(blockKey).get(hitsKey).pttl(hitsKey));
      if (Number(blockMs) > 0) {
        return {
          totalHits: Number(hits ?? 0),
          timeToExpire: seconds(Number(hitsMs)),
          isBlocked: true,
          timeToBlockExpire: seconds(Number(blockMs)),
        };
      }
    }
    const [count, , hitsMs, blockMs] = await run(
      this.client.multi().incr(hitsKey).pexpire(hitsKey, ttl, 'NX').pttl(hitsKey).pttl(blockKey),
    );
    const totalHits = Number(count);
    const timeToExpire = seconds(Number(hitsMs));
    // blocked by another request (maybe on another instance) since the check above
    if (blockDuration > 0 && Number(blockMs) > 0) {
      return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire: seconds(Number(blockMs)) };
    }
    if (totalHits <= limit) return { totalHits, timeToExpire, isBlocked: false, timeToBlockExpire: 0 };
    // without a block duration the caller waits for the window to end
    if (blockDuration <= 0) return { totalHits, timeToExpire, isBlocked: true, timeToBlockExpire: timeToExpire };
    // the count ends no later than the block (PEXPIRE ... LT, before the block exists), so the caller starts from
    // nothing once the block is over; NX: a block another request set first keeps its own end
    const [, , blockLeftMs] = await run(
      this.client.multi().pexpire(hitsKey, blockDuration, 'LT').set(blockKey, '1', 'PX', blockDuration, 'NX').pttl(blockKey),
    );
    return {
      totalHits,
      timeToExpire: Math.min(timeToExpire, seconds(blockDuration)),
      isBlocked: true,
      timeToBlockExpire: seconds(Number(blockLeftMs)),
    };
  }
}

/** Runs a MULTI transaction and gives its replies, or throws the first error among them. */
async function run(transaction: ChainableCommander): Promise<unknown[]> {
  const replies = await transaction.exec();
  // null: the transaction was discarded (a WATCH failed), which these transactions never ask for
  if (!replies) throw new Error('Redis discarded the transaction');
  const failure = replies.find(([error]) => error);
  if (failure) throw failure[0];
  return replies.map(([, reply]) => reply);
}

/**
 * The throttler storage with REDIS_URL set: counts in Redis while it answers, so that limits hold across every
 * instance; in this instance's memory (SlidingWindowThrottlerStorage) while it does not, so that the service keeps serving (with per-instance
 * limits) rather than failing or letting everyone through. Redis is tried again after a pause, and as soon as
 * the connection is ready again; RedisConnection logs the switch each way once.
 */
export class SharedThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly shared: RedisThrottlerStorage;
  private readonly local = new SlidingWindowThrottlerStorage();

  constructor(private readonly redis: RedisConnection) {
    if (!redis.client) throw new Error('SharedThrottlerStorage needs a Redis connection (REDIS_URL)');
    this.shared = new RedisThrottlerStorage(redis.client);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (this.redis.usable) {
      try {
        const record = await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
        this.redis.succeeded();
        return record;
      } catch (error) {
        this.redis.failed(error as Error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
