import Redis from 'ioredis';

/** The Redis the suites count limits in (CI starts it): REDIS_URL, else the local default. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const testRedisAddress = () => {
  const url = new URL(TEST_REDIS_URL);
  return { host: url.hostname, port: Number(url.port || 6379) };
};

/** A key prefix (REDIS_KEY_PREFIX) no other run and no other suite uses: Redis may be shared. */
export const testRedisPrefix = (label: string) => `ecommerce-test:${label}:${process.pid}:${Date.now().toString(36)}:`;

/** Deletes every key under `prefix`. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys: string[] = [];
    const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
    for await (const batch of stream) keys.push(...(batch as string[]));
    if (keys.length) await redis.del(...keys);
  } finally {
    await redis.quit();
  }
}
