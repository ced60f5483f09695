import type { OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

interface Tally {
  /** When each hit still counted leaves the window, oldest first; hits before `head` have left it. */
  hits: number[];
  head: number;
  expiresAt: number;
  blockExpiresAt: number;
  isBlocked: boolean;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * @nestjs/throttler's in-memory storage, with the same sliding window and blocking, but constant work per
 * request. The stock storage filters every hit of the window on each request, so a client allowed N requests a
 * minute costs O(N) per request (60,000 entries at 1,000 req/s). Here a key's hits expire in the order they were
 * counted (its throttler's ttl does not change), so expired hits are dropped from the front of a queue.
 */
export class SlidingWindowThrottlerStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly tallies = new Map<string, Tally>();
  private sweep?: NodeJS.Timeout;

  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    this.sweep ??= setInterval(() => this.evictIdle(Date.now()), SWEEP_INTERVAL_MS).unref();
    // one tally per key and throttler: the stock storage keeps the window per key, its hits per throttler
    const id = `${key}\u0000${throttlerName}`;
    let tally = this.tallies.get(id);
    if (!tally) {
      tally = { hits: [], head: 0, expiresAt: now + ttl, blockExpiresAt: 0, isBlocked: false };
      this.tallies.set(id, tally);
    }
    prune(tally, now);
    let timeToExpire = Math.ceil((tally.expiresAt - now) / 1000);
    if (timeToExpire <= 0) {
      tally.expiresAt = now + ttl;
      timeToExpire = Math.ceil(ttl / 1000);
    }
    if (blockDuration <= 0) {
      const isBlocked = count(tally) >= limit;
      if (!isBlocked) tally.hits.push(now + ttl);
      const timeToBlockExpire = count(tally) ? Math.ceil((tally.hits[tally.head] - now) / 1000) : timeToExpire;
      return Promise.resolve({
        totalHits: count(tally) + (isBlocked ? 1 : 0),
        timeToExpire,
        isBlocked,
        timeToBlockExpire: isBlocked ? timeToBlockExpire : 0,
      });
    }
    if (!tally.isBlocked) tally.hits.push(now + ttl);
    if (count(tally) > limit && !tally.isBlocked) {
      tally.isBlocked = true;
      tally.blockExpiresAt = now + blockDuration;
    }
    const timeToBlockExpire = Math.ceil((tally.blockExpiresAt - now) / 1000);
    if (timeToBlockExpire <= 0 && tally.isBlocked) {
      tally.isBlocked = false;
      tally.hits = [now + ttl];
      tally.head = 0;
    }
    return Promise.resolve({ totalHits: count(tally), timeToExpire, isBlocked: tally.isBlocked, timeToBlockExpire });
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweep);
    this.sweep = undefined;
  }

  /** Forgets keys with nothing left to remember, as the stock storage's sweep does. */
  private evictIdle(now: number): void {
    for (const [id, tally] of this.tallies) {
      if (tally.isBlocked && tally.blockExpiresAt > now) continue;
      if (tally.expiresAt > now) continue;
      prune(tally, now);
      if (count(tally)) continue;
      this.tallies.delete(id);
    }
  }
}

const count = (tally: Tally) => tally.hits.length - tally.head;

function prune(tally: Tally, now: number): void {
  const { hits } = tally;
  while (tally.head < hits.length && hits[tally.head] <= now) tally.head++;
  // compact now and then, so that the array does not grow with every hit ever counted
  if (tally.head > 1024 && tally.head * 2 > hits.length) {
    tally.hits = hits.slice(tally.head);
    tally.head = 0;
  }
}
