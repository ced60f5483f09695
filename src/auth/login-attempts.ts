import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { CommonErrors } from '../common/common.errors';
import { retryLater } from '../common/problem';

const WINDOW_MS = 15 * 60_000;
export const MAX_ATTEMPTS_PER_USERNAME = 10;
export const MAX_ATTEMPTS_PER_CLIENT = 100;

/**
 * Limits login attempts per client address (guessing across accounts) and per username (password guessing
 * against one account), in the throttler's storage: across instances with REDIS_URL, so that a guesser spreading
 * attempts over the instances gets no more of them. Every attempt counts, successful or not.
 */
@Injectable()
export class LoginAttempts {
  constructor(@InjectThrottlerStorage() private readonly storage: ThrottlerStorage) {}

  /** `usernameKey` as accounts compare usernames (lower-cased): every spelling of one account counts together. */
  async register(usernameKey: string, client: string): Promise<void> {
    // the client first, and a refused client stops here: otherwise one address could lock out any account
    // by spending that account's attempts while it is itself refused
    await this.count(`login:client:${client}`, MAX_ATTEMPTS_PER_CLIENT);
    await this.count(`login:username:${usernameKey}`, MAX_ATTEMPTS_PER_USERNAME);
  }

  /**
   * A password proven outside login (current_password on a password change) counts against the username:
   * a stolen token must not become a faster way to guess the password than the login is.
   */
  async registerPasswordCheck(usernameKey: string): Promise<void> {
    await this.count(`login:username:${usernameKey}`, MAX_ATTEMPTS_PER_USERNAME);
  }

  private async count(key: string, limit: number): Promise<void> {
    const record = await this.storage.increment(key, WINDOW_MS, limit, WINDOW_MS, 'login');
    if (record.isBlocked) {
      const retryAfter = Math.max(1, Math.ceil(record.timeToBlockExpire));
      throw retryLater(CommonErrors.RATE_LIMITED, `Too many login attempts; retry in ${retryAfter} s`, retryAfter);
    }
  }
}
