import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { CommonErrors } from '../common/common.errors';
import { retryLater } from '../common/problem';

const WINDOW_MS = 15 * 60_000;
export const MAX_ATTEMPTS_PER_USERNAME = 10;
export const MAX_ATTEMPTS_PER_CLIENT = 100;

/**
 * Limits login attempts per username (password guessing against one account) and per client address
 * (guessing across accounts), in the throttler's own storage. Every attempt counts, successful or not.
 */
@Injectable()
export class LoginAttempts {
  constructor(@InjectThrottlerStorage() private readonly storage: ThrottlerStorage) {}

  async register(username: string, client: string): Promise<void> {
    const checks: [string, number][] = [
      [`login:username:${username.toLowerCase()}`, MAX_ATTEMPTS_PER_USERNAME],
      [`login:client:${client}`, MAX_ATTEMPTS_PER_CLIENT],
    ];
    for (const [key, limit] of checks) {
      const record = await this.storage.increment(key, WINDOW_MS, limit, WINDOW_MS, 'login');
      if (record.isBlocked) {
        const retryAfter = Math.max(1, Math.ceil(record.timeToBlockExpire));
        throw retryLater(CommonErrors.RATE_LIMITED, `Too many login attempts; retry in ${retryAfter} s`, retryAfter);
      }
    }
  }
}
